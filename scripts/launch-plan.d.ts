// Types for launch-plan.js (plain JS so `npm start` needs no build step to run).
export declare const BUILD_OUTPUTS: string[];
export declare const BUILD_SOURCES: string[];
export declare function decideBuild(outputMtimes: (number | null)[], newestSourceMtime: number): { build: boolean; reason: string };
export declare function newestMtime(paths: string[]): number;
export declare function mtimeOrNull(p: string): number | null;
export type BinaryLookup = { path: string } | { path: null; reason: string };
export declare function findElectronBinary(ctx: {
  electronDir: string | null;
  env: Record<string, string | undefined>;
  platform: string;
  exists?: (p: string) => boolean;
  read?: (p: string) => string;
}): BinaryLookup;
export declare function hasDisplay(env: Record<string, string | undefined>, platform: string): boolean;
export declare function decideLaunch(s: { forceHeadless: boolean; display: boolean; binary: BinaryLookup }):
  | { mode: 'electron'; binary: string }
  | { mode: 'headless'; why: string };
export declare function headlessLine(why: string): string;
