// A tiny structured logger for the agent. It writes one JSON line per event to
// stderr (the live image's console) and can also forward lines to the
// orchestrator as `log` messages once a session exists. Kept dependency-free so
// the bundle stays small and runs on Node 18.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to process.stderr. Tests capture them here. */
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = LEVEL_ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVEL_ORDER[level] < min) return;
    try {
      write(JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields }));
    } catch {
      // A field that cannot be serialised must not take the agent down.
      write(JSON.stringify({ t: new Date().toISOString(), level, msg }));
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A logger that drops everything (unit tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
