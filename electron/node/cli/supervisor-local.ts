import { userInfo } from 'node:os';
import { SupervisorCredentials } from '../auth/supervisor-credentials.ts';
import { openStore } from '../store/index.ts';

/**
 * `vetting supervisor add|set`: changes a credential on the store directly
 * (SQLite lets it share the database with a running server). Being able to
 * open the database is the proof: it takes the app's own user on this machine.
 */
export async function setSupervisorLocally(dataDir: string, name: string, secret: string): Promise<'added' | 'changed'> {
  const store = openStore(dataDir);
  try {
    return await new SupervisorCredentials(store.supervisors).set(name, secret, { kind: 'local-cli', actor: `local-cli:${localUser()}` });
  } finally {
    store.close();
  }
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}
