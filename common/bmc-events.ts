import type { PartKind } from './schema/coverage.ts';

// Which BMC event-log records say a part is failing. A record logged during a run that says
// so fails the run at the stage it appeared in; the same record already in the log when the
// run started is listed, not judged (the fault may be the one the host was repaired for).
// The agent marks records with this for people to read; the orchestrator judges with it.
//
// Critical: power supplies (failure, predictive failure, input lost, a supply gone), memory
// (ECC errors, parity, scrub failures, a disabled DIMM), processors (IERR, thermal trip,
// FRB, machine checks), fans and temperatures at a critical or non-recoverable threshold or
// failed, and voltages at a critical or non-recoverable threshold (a rail out of range under
// load is a supply or VRM fault). Non-critical thresholds, presence and boot records are not.

export interface SelRecordLike {
  sensorType: string | null;
  sensor: string;
  event: string;
  direction: 'Asserted' | 'Deasserted' | null;
}

export interface SelCriticality {
  /** What kind of fault it is, for messages: "power supply", "memory" … */
  category: string;
  /** The kind of part to replace. */
  part: PartKind;
}

/** Threshold crossings at the critical or non-recoverable level ("Upper Critical going high"), never "Non-critical". */
const CRITICAL_THRESHOLD = /\b(upper|lower) (critical|non-recoverable)\b/i;
const FAILED = /fail|fault|redundancy lost|transition to critical|transition to non-recoverable|non-recoverable|\bcritical\b/i;
const NON_CRITICAL = /non-critical/i;

function typeOf(r: SelRecordLike): string {
  return (r.sensorType ?? r.sensor).toLowerCase();
}

/** Whether a SEL record reports a fault the bench fails a run on, and what kind; null when it does not. */
export function selCriticality(r: SelRecordLike): SelCriticality | null {
  const type = typeOf(r);
  const event = r.event;
  const asserted = r.direction !== 'Deasserted';
  if (type.startsWith('power supply')) {
    // A supply that stops being present is a supply gone; its presence appearing is not a fault.
    if (/presence detected/i.test(event)) return asserted ? null : { category: 'power supply', part: 'psu' };
    return asserted ? { category: 'power supply', part: 'psu' } : null;
  }
  if (!asserted) return null;
  if (type.startsWith('memory')) {
    if (/presence detected|^spare\b|redundancy regained|fully redundant/i.test(event)) return null;
    return { category: 'memory', part: 'dimm' };
  }
  if (type.startsWith('processor')) {
    if (/presence detected|processor presence/i.test(event)) return null;
    return { category: 'processor', part: 'cpu' };
  }
  if (type.startsWith('fan')) {
    if (NON_CRITICAL.test(event) && !CRITICAL_THRESHOLD.test(event)) return null;
    return CRITICAL_THRESHOLD.test(event) || FAILED.test(event) ? { category: 'fan', part: 'sensor' } : null;
  }
  if (type.startsWith('temperature')) {
    return CRITICAL_THRESHOLD.test(event) ? { category: 'temperature', part: 'sensor' } : null;
  }
  if (type.startsWith('voltage')) {
    return CRITICAL_THRESHOLD.test(event) ? { category: 'voltage', part: 'psu' } : null;
  }
  return null;
}

/** One line for a record: "Power Supply PSU1 Status: Failure detected (Asserted)". */
export function selRecordText(r: SelRecordLike & { detail?: string | null }): string {
  return `${r.sensor}: ${r.event}${r.direction ? ` (${r.direction})` : ''}${r.detail ? ` — ${r.detail}` : ''}`;
}
