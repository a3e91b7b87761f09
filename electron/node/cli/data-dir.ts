import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** --data-dir, else $VETTING_DATA_DIR, else $XDG_DATA_HOME/vetting (~/.local/share/vetting). */
export function resolveDataDir(flag?: string): string {
  if (flag) return resolve(flag);
  if (process.env.VETTING_DATA_DIR) return resolve(process.env.VETTING_DATA_DIR);
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'vetting');
}
