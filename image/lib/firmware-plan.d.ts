// Types for firmware-plan.js (plain JS: image/build-image.sh runs it before anything is built).
export declare const NOT_IN_DEBIAN: string;
export declare function parseRequested(text: string): Map<string, string[]>;
export declare function parseContents(text: string): Map<string, string[]>;
export declare function parseExclusions(text: string): { pattern: string; test: RegExp; reason: string }[];
export declare function planFirmware(
  requested: Map<string, string[]>,
  shippedBy: Map<string, string[]>,
  exclusions: { pattern: string; test: RegExp; reason: string }[],
): { packages: string[]; files: { file: string; package: string; modules: string[] }[]; missing: { file: string; modules: string[]; reason: string }[] };
export declare function normaliseFirmwarePath(p: string): string;
