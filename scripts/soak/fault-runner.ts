// Plays the fault schedule against the running fleet: the shared lane one fault after another,
// each gate fault when its time comes (several gates may be in trouble at once).
import { type FaultContext, type FaultRecord, faultsSoFar, sleep } from './fault-context.js';
import type { FaultEvent } from './fault-schedule.js';
import { runGateFault } from './gate-faults.js';
import { runSharedFault } from './shared-faults.js';

/**
 * A gate fault may take longer than planned (a bind by scan waits for the technician's command):
 * the next fault planned for a gate still in trouble goes to the next free gate instead.
 */
export function freeGate(
  planned: number,
  gates: number,
  busy: ReadonlySet<number>,
  protectedGates: readonly number[],
): number | null {
  for (let i = 0; i < gates; i++) {
    const g = (planned + i) % gates;
    if (!busy.has(g) && !protectedGates.includes(g)) return g;
  }
  return null;
}

export async function runFaultSchedule(
  c: FaultContext,
  schedule: readonly FaultEvent[],
  t0: number,
  stopped: () => boolean,
  log: (line: string) => void,
  protectedGates: readonly number[],
): Promise<FaultRecord[]> {
  const busy = new Set<number>();
  const run = async (e: FaultEvent, procedure: () => Promise<string[]>) => {
    const record: FaultRecord = { event: e, startedAt: Date.now(), endedAt: 0, ok: true, notes: [] };
    c.faultRecords.push(record);
    try {
      record.notes = await procedure();
    } catch (error) {
      record.ok = false;
      record.notes = [`the fault procedure failed: ${(error as Error).message}`];
    }
    record.endedAt = Date.now();
    const notes = record.notes;
    log(`fault ${e.kind}${e.gate === null ? '' : ` gate ${e.gate}`}: ${notes.join('; ')}`);
  };
  const shared = (async () => {
    for (const e of schedule.filter((x) => x.gate === null)) {
      await sleep(t0 + e.atMs - Date.now());
      if (stopped()) return;
      await run(e, () => runSharedFault(c, e));
    }
  })();
  const perGate: Promise<void>[] = [];
  for (const planned of schedule.filter((x) => x.gate !== null)) {
    await sleep(t0 + planned.atMs - Date.now());
    if (stopped()) break;
    const gate = freeGate(planned.gate!, c.rigs.length, busy, protectedGates);
    if (gate === null) continue;
    const e = { ...planned, gate };
    busy.add(gate);
    perGate.push(run(e, () => runGateFault(c, e)).finally(() => busy.delete(gate)));
  }
  await Promise.all([shared, ...perGate]);
  return faultsSoFar(c);
}
