import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured logs to stderr, so stdout stays free for `--json` output. */
export function createLogger(level = process.env.VETTING_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: undefined }, pino.destination(2));
}
