// Types for rebuild-native-electron.js.
export declare const OUTPUT: string;
export declare function rebuildEnv(
  env: Record<string, string | undefined>,
  o: { electronVersion: string; arch: string },
): Record<string, string | undefined>;
export declare function rebuildCommands(o: {
  electronVersion: string;
  arch: string;
  fromSource: boolean;
  prebuildInstall: string;
  nodeGyp: string;
}): { what: string; args: string[] }[];
export declare function main(argv: string[]): number;
