import { ParseError } from '../../parsers/parse-error.ts';
import { at, num, obj, parseJsonObject, str } from '../../parsers/util.ts';

// iperf3 -J (3.12). iperf3 exits 0 with -J even when the test never ran ("unable to
// connect to server: Connection refused"): the top-level "error" key is the only sign,
// so it is surfaced here and a stage must treat it as an error, never a pass.

const TOOL = 'iperf3';

export interface Iperf3Result {
  /** iperf3's own error text; null when the test ran. */
  error: string | null;
  /** Sender-side goodput, bits per second. */
  sentBps: number | null;
  /** Receiver-side goodput, bits per second (the figure to hold against a floor). */
  receivedBps: number | null;
  retransmits: number | null;
  durationS: number | null;
  remoteHost: string | null;
  localHost: string | null;
  protocol: string | null;
  /** True for -R runs (the server sent). */
  reverse: boolean;
  /** 'server' for the server's own -J report, else 'client'. */
  role: 'client' | 'server';
  version: string | null;
}

export function parseIperf3Json(text: string): Iperf3Result {
  const root = parseJsonObject(TOOL, text);
  const start = obj(root.start);
  const end = obj(root.end);
  const error = str(root.error);
  if (!start && !error) throw new ParseError(TOOL, 'JSON has neither "start" nor "error" (not iperf3 -J output?)');
  if (!error && !end) throw new ParseError(TOOL, 'JSON has no "end" section (run cut short?)');

  const sent = obj(end?.sum_sent) ?? obj(end?.sum);
  const received = obj(end?.sum_received) ?? obj(end?.sum);
  if (!error && !sent && !received) throw new ParseError(TOOL, 'JSON "end" section has no sums');

  return {
    error,
    sentBps: num(sent?.bits_per_second),
    receivedBps: num(received?.bits_per_second),
    retransmits: num(sent?.retransmits),
    durationS: num(received?.seconds) ?? num(sent?.seconds) ?? num(at(start, 'test_start', 'duration')),
    remoteHost: str(at(start, 'connected', 0, 'remote_host')) ?? str(at(start, 'connecting_to', 'host')),
    localHost: str(at(start, 'connected', 0, 'local_host')),
    protocol: str(at(start, 'test_start', 'protocol')),
    reverse: num(at(start, 'test_start', 'reverse')) === 1,
    role: start && 'accepted_connection' in start ? 'server' : 'client',
    version: str(start?.version),
  };
}
