// Types for check-native-abi.js (plain JS so packaging runs it with bare node).
export declare const DEFAULT_FILE: string;
export interface AddonInfo {
  format: 'elf' | 'other';
  arch: string | null;
  abi: number | null;
  napi: boolean;
}
export declare function inspectAddon(buf: Buffer): AddonInfo;
export declare function electronAbi(version?: string): number;
export declare function mismatch(info: Pick<AddonInfo, 'abi' | 'napi' | 'arch'>, want: { abi: number; arch?: string; label: string }): string | null;
export declare function main(argv: string[]): number;
