// Scan-for-scan accounting: every scan the soak made, what the gate showed for it, and what the
// portal decided for it. Pure.
//
// The portal's decisions reach the soak as (gate, key, outcome, tampered, time): `gate` from the
// venue the request was decided for (every gate has venues of its own), `key` a keyed hash of the
// code or card (the soak computes the same hash for its own scans; no code, name or ID number is
// ever written anywhere), `tampered` when the mock sealed that answer with a wrong MAC. A scan is
// matched to the decision for its gate and key made while it was under way.
import type { OutcomeKind } from '../../firmware/core/outcome.js';

export type ScanEnding =
  /** A `verdict` line of the daemon. */
  | 'verdict'
  /** An `input-dropped` line of the daemon. */
  | 'dropped'
  /** The soak killed the daemon (SIGKILL, power cut) before the outcome: no outcome is possible. */
  | 'interrupted'
  /** Nothing from the daemon within the soak's deadline: an undefined outcome. */
  | 'no-outcome';

export interface ScanRecord {
  id: number;
  gate: number;
  kind: 'code' | 'card';
  keyword: string;
  /** Keyed hash of the code or card (never the code, name or ID number). */
  key: string;
  expected: OutcomeKind;
  /** Epoch ms: bytes written / card put down. */
  writtenAt: number;
  /** Epoch ms: the daemon's line read by the soak; null without one. */
  endedAt: number | null;
  ending: ScanEnding;
  outcome: OutcomeKind | null;
  /** The daemon's cause of a network-error or read-error outcome. */
  cause: string | null;
  /** Read → outcome as the daemon measured it. */
  totalMs: number | null;
  /** Verification started → outcome shown (totalMs without the wait in the queue). */
  verdictMs: number | null;
  /** The gate's budget for totalMs: a wait in the queue, the verification deadline, timer slack. */
  daemonBudgetMs: number;
  /** The soak's budget for write → line (adds the driver's read path and the log pipe). */
  soakBudgetMs: number;
  /** The line came from the other input than the one scanned (a stray read). */
  sourceMismatch: boolean;
  /** A device fault was active on this gate around this scan (read errors are then expected). */
  deviceFault: boolean;
}

export interface PortalDecision {
  gate: number;
  key: string;
  /** The outcome the portal's verdict gives at the gate (outcomeOfVerdict with the gate's policy). */
  outcome: OutcomeKind;
  tampered: boolean;
  /** Epoch ms at the portal when it decided (just before the answer was sealed). */
  at: number;
}

/** Outcomes only an answer of the portal can give. */
export const PORTAL_OUTCOMES: ReadonlySet<OutcomeKind> = new Set<OutcomeKind>([
  'pass',
  'pass-with-notice',
  'deny',
  'show-code',
  'check-skm',
  'policy-deny',
]);

/** A decision this late after a network-error outcome still counts as that scan's (latency faults). */
export const LATE_DECISION_MS = 15_000;
/** Clocks of the soak and the portal are the same machine's; this covers timestamp granularity. */
const CLOCK_SLACK_MS = 5;

export interface Accounting {
  scans: number;
  outcomes: Partial<Record<OutcomeKind, number>>;
  /** Scans without any outcome line within the soak's deadline. */
  undefinedOutcomes: number;
  /** Scans whose outcome came later than the gate's or the soak's budget. */
  deadlineMisses: number;
  /** Scans the soak's own kills cut short (not counted as undefined; listed). */
  interrupted: number;
  /** Portal outcomes other than the keyword's. */
  mismatches: number;
  /** Portal outcomes other than the one the portal decided for that scan. */
  disagreements: number;
  /** Portal outcomes with no decision of the portal for that scan. */
  withoutDecision: number;
  /** Portal outcomes whose only decision went out with a wrong MAC. */
  tamperedOutcomes: number;
  /** network-error outcomes by what the portal did. */
  networkErrors: { neverReceived: number; tamperedAnswer: number; answerLostOrLate: number };
  /** Outcomes a clean scan should not have: read-error without a device fault, not-bound, a dropped scan, a stray source. */
  unexpected: number;
  /** Decisions no scan accounts for (garbage frames, answers to interrupted scans, repeats). */
  foreignDecisions: number;
  /** Per scan id: what went wrong, for the report's first examples. */
  problems: Array<{ id: number; gate: number; problem: string }>;
}

function groupKey(gate: number, key: string): string {
  return `${gate}\u0000${key}`;
}

/** Matches scans to decisions and counts. Scans and decisions may come in any order. */
export function accountScans(scans: readonly ScanRecord[], decisions: readonly PortalDecision[]): Accounting {
  const byGroup = new Map<string, { decisions: PortalDecision[]; used: boolean[] }>();
  for (const d of [...decisions].sort((a, b) => a.at - b.at)) {
    const k = groupKey(d.gate, d.key);
    let g = byGroup.get(k);
    if (!g) {
      g = { decisions: [], used: [] };
      byGroup.set(k, g);
    }
    g.decisions.push(d);
    g.used.push(false);
  }
  const take = (s: ScanRecord, until: number): PortalDecision | null => {
    const g = byGroup.get(groupKey(s.gate, s.key));
    if (!g) return null;
    for (let i = 0; i < g.decisions.length; i++) {
      const d = g.decisions[i];
      if (g.used[i] || d.at < s.writtenAt - CLOCK_SLACK_MS) continue;
      if (d.at > until) break;
      g.used[i] = true;
      return d;
    }
    return null;
  };

  const a: Accounting = {
    scans: scans.length,
    outcomes: {},
    undefinedOutcomes: 0,
    deadlineMisses: 0,
    interrupted: 0,
    mismatches: 0,
    disagreements: 0,
    withoutDecision: 0,
    tamperedOutcomes: 0,
    networkErrors: { neverReceived: 0, tamperedAnswer: 0, answerLostOrLate: 0 },
    unexpected: 0,
    foreignDecisions: 0,
    problems: [],
  };
  const problem = (s: ScanRecord, text: string) => {
    if (a.problems.length < 50) a.problems.push({ id: s.id, gate: s.gate, problem: text });
  };
  const ordered = [...scans].sort((x, y) => x.writtenAt - y.writtenAt);

  // First the scans the portal must have answered (their decision lies within the scan), then
  // the network errors (whose decision, if any, may come late): a late decision is never taken
  // from a later scan of the same gate and key that needs it.
  for (const s of ordered) {
    if (s.outcome === null || !PORTAL_OUTCOMES.has(s.outcome)) continue;
    const d = take(s, (s.endedAt ?? s.writtenAt) + CLOCK_SLACK_MS);
    if (d === null) {
      a.withoutDecision++;
      problem(s, `${s.outcome} without a decision of the portal`);
    } else if (d.tampered) {
      a.tamperedOutcomes++;
      problem(s, `${s.outcome} from an answer with a wrong MAC`);
    } else if (d.outcome !== s.outcome) {
      a.disagreements++;
      problem(s, `gate showed ${s.outcome}, the portal decided ${d.outcome}`);
    }
    if (s.outcome !== s.expected) {
      a.mismatches++;
      problem(s, `${s.keyword}: ${s.outcome}, expected ${s.expected}`);
    }
  }
  for (const s of ordered) {
    if (s.outcome !== 'network-error') continue;
    const d = take(s, (s.endedAt ?? s.writtenAt) + LATE_DECISION_MS);
    if (d === null) a.networkErrors.neverReceived++;
    else if (d.tampered) a.networkErrors.tamperedAnswer++;
    else a.networkErrors.answerLostOrLate++;
  }

  for (const s of ordered) {
    if (s.outcome !== null) a.outcomes[s.outcome] = (a.outcomes[s.outcome] ?? 0) + 1;
    if (s.ending === 'interrupted') a.interrupted++;
    if (s.ending === 'no-outcome') {
      a.undefinedOutcomes++;
      problem(s, 'no outcome within the deadline');
    }
    const late =
      (s.totalMs !== null && s.totalMs > s.daemonBudgetMs) ||
      (s.endedAt !== null && s.endedAt - s.writtenAt > s.soakBudgetMs);
    if (s.ending !== 'interrupted' && s.endedAt !== null && late) {
      a.deadlineMisses++;
      problem(s, `outcome after ${s.totalMs ?? '?'} ms (daemon) / ${s.endedAt - s.writtenAt} ms (soak)`);
    }
    const stray =
      s.ending === 'dropped' ||
      s.sourceMismatch ||
      s.outcome === 'not-bound' ||
      (s.outcome === 'read-error' && !s.deviceFault);
    if (stray) {
      a.unexpected++;
      problem(
        s,
        `unexpected ${s.ending === 'dropped' ? 'drop' : (s.outcome ?? '?')}${s.sourceMismatch ? ' from the other input' : ''}`,
      );
    }
  }
  for (const g of byGroup.values()) a.foreignDecisions += g.used.filter((u) => !u).length;
  return a;
}
