// The scan loop of one gate: a person after another, as fast as the gate takes them (or at the
// pace asked for), each scan's outcome line awaited and recorded. The next scan is written as
// soon as the previous outcome shows, so it waits in the gate's queue while the verdict is shown
// (gate.busyInput = queue): the gate is never idle for want of input.
import type { IdCardIdentity } from '../../firmware/core/id-number.js';
import type { TimeoutTable } from '../../firmware/core/timeouts.js';
import { mulberry32 } from '../lab/synth-image.js';
import { type GateRig, READER_DRIVER, SCANNER_DRIVER } from './gate-rig.js';
import type { ScanRecord } from './outcome-accounting.js';
import type { PrivacyNeedles } from './privacy-search.js';
import { type ScanPayload, scanKey } from './scan-key.js';
import { type CardKeyword, expectedOutcome, nextScanItem, type ScanItem } from './scan-mix.js';

/** Timers on a loaded 2-core box fire late; the gate's own deadline gets this much slack. */
export const TIMER_SLACK_MS = 500;
/** After the soak's budget, wait this much longer before calling a scan's outcome undefined. */
export const GRACE_MS = 10_000;

export interface ScanBudgets {
  /** What the daemon's totalMs may reach: a wait in the queue (the show time) + the verification deadline + slack. */
  daemonMs: number;
  code: number;
  card: number;
}

export function scanBudgets(
  showMs: number,
  t: Pick<TimeoutTable, 'verifyDeadlineMs' | 'idCardPollMs' | 'idCardCommandMs'>,
): ScanBudgets {
  const daemonMs = showMs + t.verifyDeadlineMs + TIMER_SLACK_MS;
  return {
    daemonMs,
    // the pty and the frame parser, then the log pipe back
    code: daemonMs + 1_000,
    // up to one poll interval before the card is seen, then find, select and read
    card: daemonMs + t.idCardPollMs + t.idCardCommandMs + 1_000,
  };
}

export interface ScanSources {
  secret: Buffer;
  needles: PrivacyNeedles;
  /** A fresh pass-code text for a keyword (every scan its own code). */
  code(keyword: ScanItem['keyword'], random: () => number): string;
  /** The card for a keyword; 'unknown' is a new stranger each time. */
  card(keyword: CardKeyword, random: () => number): IdCardIdentity;
}

function payloadOf(
  item: ScanItem,
  sources: ScanSources,
  random: () => number,
): ScanPayload & { card?: IdCardIdentity } {
  if (item.kind === 'code') {
    const text = sources.code(item.keyword, random);
    sources.needles.addCode(text);
    return { kind: 'code', text };
  }
  const card = sources.card(item.keyword, random);
  sources.needles.addCard(card);
  return { kind: 'card', name: card.name, idNumber: card.idNumber, card };
}

/** Verification started → outcome shown: the daemon's total without its read-to-request part (the queue). */
export function verdictMsOf(line: { totalMs: number | null; readToRequestMs: number | null }): number | null {
  if (line.totalMs === null) return null;
  return line.readToRequestMs === null ? line.totalMs : Math.max(0, line.totalMs - line.readToRequestMs);
}

export interface ScanOnceContext {
  rig: GateRig;
  sources: ScanSources;
  budgets: ScanBudgets;
  random: () => number;
  nextScanId(): number;
  record(scan: ScanRecord): void;
  /** Epoch ms until which a device fault counts as active on this gate. */
  deviceFaultUntil(): number;
}

/** One person: the code scanned or the card put down, its outcome line awaited, the scan recorded. */
export async function scanOnce(c: ScanOnceContext, item: ScanItem): Promise<ScanRecord> {
  const { rig } = c;
  const payload = payloadOf(item, c.sources, c.random);
  const key = scanKey(c.sources.secret, payload);
  const budget = item.kind === 'code' ? c.budgets.code : c.budgets.card;
  const outcome = rig.expectOutcome(budget + GRACE_MS);
  const writtenAt = Date.now();
  if (payload.kind === 'code') rig.scanner.scan(payload.text);
  else rig.reader.present(payload.card!);
  const ended = await outcome;
  if (item.kind === 'card') rig.reader.remove();
  const line = ended.line;
  const expectedSource = item.kind === 'code' ? SCANNER_DRIVER : READER_DRIVER;
  const scan: ScanRecord = {
    id: c.nextScanId(),
    gate: rig.index,
    kind: item.kind,
    keyword: item.keyword,
    key,
    expected: expectedOutcome(item),
    writtenAt,
    endedAt: ended.ending === 'verdict' || ended.ending === 'dropped' ? ended.at : null,
    ending: ended.ending,
    outcome: line?.type === 'verdict' ? line.outcome : null,
    cause: line?.type === 'verdict' ? line.cause : null,
    totalMs: line?.type === 'verdict' ? line.totalMs : null,
    verdictMs: line?.type === 'verdict' ? verdictMsOf(line) : null,
    daemonBudgetMs: c.budgets.daemonMs,
    soakBudgetMs: budget,
    sourceMismatch: line !== undefined && line.source !== expectedSource,
    deviceFault: writtenAt <= c.deviceFaultUntil(),
  };
  c.record(scan);
  // Nothing came: let a late line arrive (and be counted as unsolicited) before the next scan.
  if (ended.ending === 'no-outcome') await new Promise((r) => setTimeout(r, 2_000));
  return scan;
}

export interface GateScannerOptions extends Omit<ScanOnceContext, 'random'> {
  seed: number;
  /** Least ms between two scans of this gate (0: as fast as it takes them). */
  intervalMs: number;
  /** Whether this gate gets people now (fleet-throttle.ts). */
  active(): boolean;
  stopped(): boolean;
}

/** Scans on one gate until stopped, whenever the gate can take a scan. */
export async function runGateScanner(o: GateScannerOptions): Promise<void> {
  const { rig } = o;
  const context: ScanOnceContext = { ...o, random: mulberry32(o.seed) };
  let lastWrite = 0;
  while (!o.stopped()) {
    const available = { scanner: rig.canScan('code'), reader: rig.canScan('card') && rig.reader.polledSinceRemoval() };
    const wait = lastWrite + o.intervalMs - Date.now();
    if ((!available.scanner && !available.reader) || wait > 0 || !o.active()) {
      await rig.changed(Math.max(20, Math.min(wait, 250)));
      continue;
    }
    lastWrite = Date.now();
    rig.scanning = true;
    try {
      await scanOnce(context, nextScanItem(context.random, available)!);
    } finally {
      rig.scanning = false;
      rig.notify();
    }
  }
}
