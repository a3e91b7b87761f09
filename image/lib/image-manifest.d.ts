// Types for image-manifest.js (plain JS: image/build-image.sh runs it on the build machine).
export declare const MANIFEST_FORMAT: number;
export declare function tsv(text: string): string[][];
export declare function baseManifest(work: string): Record<string, unknown>;
export declare function finalManifest(base: Record<string, unknown>, imageDir: string, budgetBytes: number | null): Record<string, unknown>;
