import type { LiveEvent } from '../../common/schema/api.ts';
import { startOrchestrator } from '../node/orchestrator.ts';

// The one place the shell touches the orchestrator. The shell codes against this
// narrow shape (what it needs: URLs, token, who is mid-run, who waits for a person,
// live events, close), so a change elsewhere in electron/node shows up here first.

export interface ShellOrchestratorOptions {
  dataDir: string;
  /** 0 = any free port on loopback. */
  controlPort?: number;
  /** Directory of the built renderer (out/renderer). */
  uiDir?: string;
  /** Path of a better_sqlite3.node built for Electron's ABI (see native-binding.ts). */
  nativeBinding?: string;
}

export interface ShellOrchestrator {
  controlUrl: string;
  benchUrl: string;
  token: string;
  dataDir: string;
  activeRuns(): { id: number; host: string; state: string }[];
  waitingForPerson(): number;
  subscribe(listener: (event: LiveEvent) => void): () => void;
  close(): Promise<void>;
}

export async function startShellOrchestrator(opts: ShellOrchestratorOptions): Promise<ShellOrchestrator> {
  return startOrchestrator(opts);
}
