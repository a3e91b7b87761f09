// Types for make-icons.js.
export declare const SIZES: number[];
export declare function encodePng(width: number, height: number, rgba: Buffer): Buffer;
export declare function drawIcon(size: number): Buffer;
export declare function writeIcons(outDir: string): string[];
