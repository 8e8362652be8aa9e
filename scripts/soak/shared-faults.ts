// The portal's and the network's faults: one at a time, for the whole fleet.
import type { FaultContext } from './fault-context.js';
import { sleep } from './fault-context.js';
import type { FaultEvent } from './fault-schedule.js';
import { scanOnce } from './gate-scanner.js';

/** The gate that makes the NAT idle test's scans (never given a device or process fault). */
export const PROBE_GATE = 0;

/** Runs one portal or network fault to its end; returns notes for the report. */
export async function runSharedFault(c: FaultContext, e: FaultEvent): Promise<string[]> {
  const notes: string[] = [];
  switch (e.kind) {
    case 'portal-latency':
      await c.portal.setFaults({ latencyMs: e.amountMs ?? 2_000 });
      await sleep(e.durationMs);
      await c.portal.setFaults({ latencyMs: 0 });
      notes.push(`${e.amountMs} ms added to every answer`);
      break;
    case 'portal-503':
      await c.portal.setFaults({ httpStatus: 503 });
      await sleep(e.durationMs);
      await c.portal.setFaults({ httpStatus: null });
      break;
    case 'portal-reset':
      await c.portal.setFaults({ dropConnection: true });
      await sleep(e.durationMs);
      await c.portal.setFaults({ dropConnection: false });
      break;
    case 'portal-wrong-mac':
      await c.portal.setFaults({ wrongMac: true });
      await sleep(e.durationMs);
      await c.portal.setFaults({ wrongMac: false });
      break;
    case 'portal-token-expiry':
      await c.sessionsLost();
      await c.portal.expireTokens();
      break;
    case 'portal-clock-jump':
      await c.portal.setFaults({ clockSkewMs: e.amountMs ?? 300_000 });
      await sleep(e.durationMs);
      await c.portal.setFaults({ clockSkewMs: 0 });
      notes.push(
        `portal clock ${(e.amountMs ?? 0) > 0 ? '+' : ''}${Math.round((e.amountMs ?? 0) / 60_000)} min, then back`,
      );
      break;
    case 'portal-restart': {
      await c.sessionsLost();
      await c.portal.kill();
      await sleep(e.durationMs);
      const started = Date.now();
      await c.portal.start();
      notes.push(`down ${e.durationMs} ms, up again ${Date.now() - started} ms after the restart began`);
      break;
    }
    case 'net-4g': {
      const from = Date.now();
      await c.link!.fourG(true);
      await sleep(e.durationMs);
      await c.link!.fourG(false);
      c.fourGWindows.push({ from, to: Date.now() });
      notes.push(`4G link by ${c.link!.fourGBy}`);
      break;
    }
    case 'net-blackhole':
      await c.link!.blackhole(true);
      await sleep(e.durationMs);
      await c.link!.blackhole(false);
      break;
    case 'net-nat-idle':
      notes.push(...(await natIdleProbe(c)));
      break;
    default:
      throw new Error(`not a shared fault: ${e.kind}`);
  }
  return notes;
}

/**
 * The morning after: behind a NAT that forgets connections idle for natIdleMs, the probe gate
 * scans once (its connection is now in the NAT's table), rests idleGapMs, then scans again. Its
 * keep-alive connection looks open to the daemon but is dead: the first scan must still get its
 * verdict within the deadline.
 */
async function natIdleProbe(c: FaultContext): Promise<string[]> {
  const rig = c.rigs[PROBE_GATE];
  const release = await rig.holdIdle();
  try {
    await c.link!.natIdle(true, c.natIdleMs);
    const ctx = c.scanContext(PROBE_GATE);
    const warm = await scanOnce(ctx, { kind: 'code', keyword: 'green' });
    await sleep(c.idleGapMs);
    const morning = await scanOnce(ctx, { kind: 'code', keyword: 'green' });
    c.idleProbes.push({
      gapMs: c.idleGapMs,
      natIdleMs: c.natIdleMs,
      firstScanMs: morning.totalMs,
      outcome: morning.outcome,
      cause: morning.cause,
    });
    const counts = await c.link!.counts();
    return [
      `warm-up scan: ${warm.outcome ?? warm.ending}`,
      `after ${c.idleGapMs / 1000} s idle behind a ${c.natIdleMs / 1000} s NAT: ${morning.outcome ?? morning.ending}${morning.cause ? ` (${morning.cause})` : ''} in ${morning.totalMs ?? '?'} ms`,
      `NAT: ${counts.natForgotten ?? 0} connections forgotten, ${counts.natDropped ?? 0} packets dropped`,
    ];
  } finally {
    await c.link!.natIdle(false, c.natIdleMs);
    release();
  }
}
