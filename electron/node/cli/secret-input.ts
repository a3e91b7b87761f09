import { createInterface } from 'node:readline';

/**
 * A secret (a supervisor credential, a BMC password) comes from an environment
 * variable or an interactive prompt with echo off — never from argv, where `ps`
 * shows it.
 */
export async function readSecret(prompt: string, envName = 'VETTING_SUPERVISOR_SECRET'): Promise<string> {
  const fromEnv = process.env[envName];
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw new Error(`no credential: set ${envName} or run this in a terminal to be prompted`);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write(prompt);
  out._writeToOutput = () => {}; // echo off while typing
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
