// The daemon's JSON log lines as the soak reads them (firmware/core/log.ts writes them; the gate
// runner's `verdict` line holds source, outcome, cause and timings, never personal data). Pure.
import { OUTCOME_KINDS, type OutcomeKind } from '../../firmware/core/outcome.js';

export type DaemonLogEvent =
  | {
      type: 'verdict';
      source: string;
      outcome: OutcomeKind;
      cause: string | null;
      /** Input read → outcome shown, as the daemon measured it (includes a wait in the queue). */
      totalMs: number | null;
      /** Input read → request sent (the wait in the queue, if any, and the local work). */
      readToRequestMs: number | null;
      portalMs: number | null;
    }
  | { type: 'dropped'; source: string; reason: string }
  | { type: 'ready' }
  | { type: 'driver-state'; driver: string; state: string }
  | { type: 'crashed' }
  | { type: 'other'; event: string; level: string };

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** One stdout line → an event; null for a line that is not a JSON log object (never expected). */
export function parseDaemonLogLine(line: string): DaemonLogEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const f = value as Record<string, unknown>;
  switch (f.event) {
    case 'verdict':
      if (!(OUTCOME_KINDS as readonly unknown[]).includes(f.outcome)) return null;
      return {
        type: 'verdict',
        source: str(f.source),
        outcome: f.outcome as OutcomeKind,
        cause: typeof f.cause === 'string' ? f.cause : null,
        totalMs: num(f.totalMs),
        readToRequestMs: num(f.readToRequestMs),
        portalMs: num(f.portalMs),
      };
    case 'input-dropped':
      return { type: 'dropped', source: str(f.source), reason: str(f.reason) };
    case 'ready':
      return { type: 'ready' };
    case 'driver-state':
      return { type: 'driver-state', driver: str(f.driver), state: str(f.state) };
    case 'crashed':
      return { type: 'crashed' };
    default:
      return { type: 'other', event: str(f.event), level: str(f.level) };
  }
}

/** Splits a byte stream into lines; keeps the unfinished tail for the next chunk. */
export class LineSplitter {
  private tail = '';

  push(chunk: string): string[] {
    const text = this.tail + chunk;
    const lines = text.split('\n');
    this.tail = lines.pop() ?? '';
    return lines.filter((l) => l.length > 0);
  }
}
