import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { SELF_CHECKPOINT_PAGES, type Db } from './db.ts';

// SQLite folds the write-ahead log back into the database file at checkpoints.
// Left to the writing connection (wal_autocheckpoint), a checkpoint runs inside
// whichever commit crosses the threshold: on the event loop, with the database
// file's writes and fsync, tens of milliseconds during which no agent message
// is read or acknowledged. Under sensor ingest that was the whole tail of the
// acknowledgement latency (docs/performance.md). So the orchestrator's
// connection does not checkpoint; a worker thread with a connection of its own
// does, every `intervalMs`, in PASSIVE mode: it copies what it can without
// waiting for anyone, and the writer keeps appending meanwhile. Should the
// worker not start or die, the connection checkpoints itself again.

export interface CheckpointResult {
  /** Frames in the WAL, and how many of them are now in the database file. */
  log: number;
  checkpointed: number;
  busy: boolean;
}

export interface WalCheckpointerOptions {
  intervalMs?: number;
  /** better-sqlite3's native module, when not the default one (Electron's ABI build). */
  nativeBinding?: string;
  /** The worker failed or stopped unexpectedly; the connection checkpoints itself again. */
  onFallback?: (why: string) => void;
  /** Each checkpoint's result (tests, diagnostics). */
  onCheckpoint?: (r: CheckpointResult) => void;
}

export interface WalCheckpointer {
  /** Resolves once the worker has its connection open and the writer has stopped checkpointing. */
  readonly ready: Promise<void>;
  /** Stops the worker and closes its connection; the writer checkpoints itself again. */
  stop(): Promise<void>;
}

// Runs in the worker (CommonJS, evaluated: no file to locate beside a bundle).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('busy_timeout = 1000');
parentPort.postMessage({ type: 'ready' });
const timer = setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (workerData.report) parentPort.postMessage({ type: 'checkpoint', log: r.log, checkpointed: r.checkpointed, busy: r.busy !== 0 });
  } catch (err) {
    parentPort.postMessage({ type: 'problem', message: String((err && err.message) || err) });
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** Starts checkpointing `db`'s WAL from a worker thread (see above). */
export function startWalCheckpointer(db: Db, opts: WalCheckpointerOptions): WalCheckpointer {
  const selfCheckpoint = () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${SELF_CHECKPOINT_PAGES}`);
  };
  let stopping = false;
  let fellBack = false;
  const fallBack = (why: string) => {
    if (fellBack || stopping) return;
    fellBack = true;
    selfCheckpoint();
    opts.onFallback?.(why);
  };
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: db.name,
        nativeBinding: opts.nativeBinding ?? null,
        intervalMs: opts.intervalMs ?? 1000,
        // Results cross the thread only for someone who listens (not once a second for nobody).
        report: opts.onCheckpoint !== undefined,
      },
    });
  } catch (err) {
    // No worker at all: the connection keeps checkpointing by itself, as it does by default.
    fallBack(`the checkpoint worker could not start: ${err instanceof Error ? err.message : String(err)}`);
    return { ready: Promise.resolve(), stop: async () => undefined };
  }
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve) => {
    worker.on('message', (m: { type: string; message?: string } & CheckpointResult) => {
      if (m.type === 'ready') {
        if (!stopping && !fellBack && db.open) db.pragma('wal_autocheckpoint = 0');
        resolve();
      } else if (m.type === 'checkpoint') opts.onCheckpoint?.({ log: m.log, checkpointed: m.checkpointed, busy: m.busy });
      else if (m.type === 'problem') fallBack(`the checkpoint worker could not checkpoint: ${m.message}`);
    });
    worker.once('error', (err) => {
      fallBack(`the checkpoint worker failed: ${err.message}`);
      resolve();
    });
    worker.once('exit', (code) => {
      fallBack(`the checkpoint worker stopped (exit ${code})`);
      resolve();
    });
  });
  // The orchestrator's shutdown stops it; it alone must not keep the process alive.
  worker.unref();
  return {
    ready,
    async stop() {
      if (stopping) return exited;
      stopping = true;
      selfCheckpoint();
      worker.postMessage('stop');
      // A worker stuck in a checkpoint is not worth waiting long for.
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
