import { decideQuit, type ActiveRun, type QuitDecision } from './quit-guard.ts';

// The order of a quit, independent of Electron: ask (once) while hosts are mid-run,
// then hold the process until the orchestrator has closed its database and
// listeners, then let the quit finish. index.ts feeds it Electron's events.

type Confirm = Extract<QuitDecision, { kind: 'confirm' }>;

export interface QuitControllerDeps {
  /** Runs of the orchestrator, or null when it is not running (nothing to ask about or close). */
  activeRuns(): ActiveRun[] | null;
  /** Shows the question; resolves true for "Quit". */
  ask(question: Confirm): boolean;
  closeOrchestrator(): Promise<void>;
  /** app.quit(): starts the quit again once closing is done. */
  quit(): void;
  warn(message: string): void;
}

export interface PreventableEvent {
  preventDefault(): void;
}

export class QuitController {
  private confirmed = false;
  private closing: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly deps: QuitControllerDeps) {}

  /** True when quitting may go on; asks while hosts are mid-run, and remembers a yes. */
  confirm(): boolean {
    if (this.confirmed) return true;
    let runs: ActiveRun[] | null = null;
    try {
      runs = this.deps.activeRuns();
    } catch (err) {
      this.deps.warn(`could not list active runs: ${(err as Error).message}`);
      runs = [];
    }
    if (runs === null) return true;
    const d = decideQuit(runs);
    if (d.kind === 'confirm' && !this.deps.ask(d)) return false;
    this.confirmed = true;
    return true;
  }

  /** A signal (service manager, Ctrl+C in a terminal) is a decision already taken. */
  skipConfirmation(): void {
    this.confirmed = true;
  }

  /** app 'before-quit' and the main window's 'close'. */
  onQuitRequested(event: PreventableEvent): void {
    if (!this.confirm()) event.preventDefault();
  }

  /** app 'will-quit': hold the exit until the orchestrator has closed, then quit again. */
  onWillQuit(event: PreventableEvent): void {
    if (this.closed) return;
    event.preventDefault();
    if (this.closing) return;
    this.closing = this.deps
      .closeOrchestrator()
      .catch((err: Error) => this.deps.warn(`orchestrator did not close cleanly: ${err.message}`))
      .finally(() => {
        this.closed = true;
        this.deps.quit();
      });
  }
}
