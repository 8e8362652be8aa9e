// Faults of one gate: its devices unplugged or spewing garbage, its daemon killed (SIGKILL, or in
// the middle of a database write, as a power cut would), a config write racing `passgate rebind`.
import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { askDaemon } from '../../firmware/daemon/control-socket.js';
import { CONFIG_PINS } from '../bench/gate-process.js';
import type { FaultContext } from './fault-context.js';
import { sleep } from './fault-context.js';
import type { FaultEvent } from './fault-schedule.js';
import { SOAK_SHOW_MS } from './gate-provision.js';
import type { GateRig } from './gate-rig.js';

/** Garbage: random bytes with line ends among them, so the parser sees many (bad) frames. */
function garbage(bytes: number): Buffer {
  const b = randomBytes(bytes);
  for (let i = 0; i < b.length; i += 17 + (b[i] % 40)) b[i] = 0x0d;
  return b;
}

/** SIGKILL, and wait until the supervisor has seen the process end. */
async function killAndWaitExit(rig: GateRig): Promise<void> {
  const exits = rig.exits.length;
  if (!rig.killDeliberately()) return;
  while (rig.exits.length === exits) await rig.changed(50);
}

async function waitUp(rig: GateRig, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (rig.inputOpen('code') && rig.inputOpen('card')) return true;
    await rig.changed(250);
  }
  return false;
}

/**
 * What a restarted gate shows before its first scan: every output's value file 0 (off), and above
 * all the relay. (A gate that comes back in bind mode lights its bind-mode pattern: then only the
 * relay counts.)
 */
async function outputsAfterRestart(rig: GateRig): Promise<{ relayOff: boolean; allOff: boolean }> {
  const read = (line: number) =>
    readFile(join(rig.gpioRoot, `gpio${line}`, 'value'), 'utf8').then((v) => v.trim() === '0');
  const all = await Promise.all(Object.values(CONFIG_PINS).map(read));
  return { relayOff: await read(CONFIG_PINS.relay), allOff: all.every(Boolean) };
}

/** Waits until no outcome line came for `quietMs` (garbage frames being verified and shown). */
async function quiet(rig: GateRig, quietMs: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const last = rig.unsolicited[rig.unsolicited.length - 1]?.at ?? 0;
    if (Date.now() - last >= quietMs || Date.now() > deadline) return;
    await sleep(100);
  }
}

export async function runGateFault(c: FaultContext, e: FaultEvent): Promise<string[]> {
  const rig = c.rigs[e.gate!];
  const notes: string[] = [];
  switch (e.kind) {
    case 'scanner-unplug':
    case 'reader-unplug': {
      const line = e.kind === 'scanner-unplug' ? rig.scanner : rig.reader;
      // Between two people: bytes caught in a dying socat would be a scan lost to the soak, not the gate.
      const release = await rig.holdIdle();
      rig.deviceFaultUntil = Date.now() + e.durationMs + 5_000;
      try {
        await line.unplug();
      } finally {
        release();
      }
      await sleep(e.durationMs);
      await line.plug();
      const back = Date.now();
      const up = await waitUp(rig, 30_000);
      notes.push(
        up ? `driver open again ${Date.now() - back} ms after the replug` : 'driver not open 30 s after the replug',
      );
      break;
    }
    case 'scanner-garbage':
    case 'reader-garbage': {
      const release = await rig.holdIdle();
      const before = rig.unsolicited.length;
      rig.deviceFaultUntil = Date.now() + e.durationMs + 5_000;
      try {
        await sleep(SOAK_SHOW_MS); // the last verdict's show ends
        for (let burst = 0; burst < 3; burst++) {
          if (e.kind === 'scanner-garbage') rig.scanner.garbage(garbage(64 + ((burst * 97) % 300)));
          else rig.reader.garbage(garbage(64 + ((burst * 97) % 300)), 3);
          await sleep(150);
        }
        if (e.kind === 'scanner-garbage') rig.scanner.garbage(Buffer.from('\r')); // no half frame left over
        await sleep(600); // past the scanner's frame idle time
        await quiet(rig, 1_500, 20_000);
      } finally {
        release();
      }
      const outcomes = rig.unsolicited
        .slice(before)
        .map((u) => (u.line.type === 'verdict' ? u.line.outcome : `dropped:${u.line.reason}`));
      notes.push(`${outcomes.length} outcome lines from the garbage: ${[...new Set(outcomes)].join(', ') || 'none'}`);
      break;
    }
    case 'daemon-sigkill': {
      // Held until the outputs are checked: a restarted gate must come up with everything off.
      const release = rig.hold();
      try {
        const killedAt = Date.now();
        await killAndWaitExit(rig);
        const up = await waitUp(rig, 60_000);
        const out = up ? await outputsAfterRestart(rig) : { relayOff: false, allOff: false };
        c.outputChecks.push({ gate: rig.index, kind: e.kind, ...out });
        notes.push(
          up
            ? `back ${Date.now() - killedAt} ms after SIGKILL, outputs ${out.allOff ? 'all off' : 'NOT all off'}`
            : 'not back within 60 s',
        );
      } finally {
        release();
      }
      break;
    }
    case 'power-cut':
      notes.push(...(await powerCut(c, rig)));
      break;
    case 'config-rebind-race':
      notes.push(...(await rebindRace(c, rig)));
      break;
    default:
      throw new Error(`not a gate fault: ${e.kind}`);
  }
  return notes;
}

/**
 * A power cut in the middle of a database write. The daemon writes its config when a bind by
 * scan ends (binding-keeper.ts): a technician runs `passgate rebind --scan` and scans the other
 * venue's code with the gate's scanner; the first change of the data directory's database files
 * after that scan kills the daemon (SIGKILL, as close as a process gets to losing power). After
 * the restart the technician scans again if the gate is back in bind mode. The binding must then
 * be whole (a code with its own name), and the new one.
 */
async function powerCut(c: FaultContext, rig: GateRig): Promise<string[]> {
  const notes: string[] = [];
  const target: 0 | 1 = c.boundVenue.get(rig.index) === 0 ? 1 : 0;
  const code = c.venueCodes(rig.index)[target];
  const release = await rig.holdIdle();
  try {
    await sleep(SOAK_SHOW_MS);
    const technician = c.cli(rig.index, ['rebind', '--scan', '--json']);
    // Not in bind mode, the venue code would be verified as a pass code: then no scan, just the kill.
    const bindMode = await phaseBecomes(rig, 'bind-mode', 10_000);
    if (!bindMode) notes.push('the gate did not enter bind mode');
    let killedInWrite = false;
    const watcher = watch(rig.dataDir, (_event, file) => {
      if (killedInWrite || !String(file).startsWith('passgate.db')) return;
      killedInWrite = rig.killDeliberately();
    });
    try {
      if (bindMode) rig.scanner.scan(code);
      const deadline = Date.now() + (bindMode ? 15_000 : 0);
      while (!killedInWrite && Date.now() < deadline) await sleep(20);
    } finally {
      watcher.close();
    }
    if (!killedInWrite) notes.push('no database write within 15 s of the venue scan: killed anyway');
    else notes.push('killed at the first change of its database files after the venue scan');
    await killAndWaitExit(rig); // (already dead when killed in the write: this waits for the exit)
    const up = await waitUp(rig, 60_000);
    const out = up ? await outputsAfterRestart(rig) : { relayOff: false, allOff: false };
    // Back in bind mode (the request survived), the bind-mode light is on: only the relay must be off.
    const inBindMode = up && (await phaseBecomes(rig, 'bind-mode', 10_000));
    c.outputChecks.push({
      gate: rig.index,
      kind: 'power-cut',
      relayOff: out.relayOff,
      allOff: out.allOff || inBindMode,
    });
    notes.push(
      up
        ? `restarted, relay ${out.relayOff ? 'off' : 'ON'}${out.allOff ? ', all outputs off' : ''}`
        : 'not back within 60 s',
    );
    if (inBindMode) {
      notes.push('back in bind mode: venue scanned again');
      rig.scanner.scan(code);
    }
    const cli = await Promise.race([technician, sleep(70_000).then(() => null)]);
    notes.push(cli === null ? 'rebind --scan still waiting after 70 s' : `rebind --scan exit ${cli.code}`);
    notes.push(await portalBindingCheck(c, rig));
  } finally {
    release();
  }
  return notes;
}

/** Waits until the daemon's status says the gate is in `phase`. */
async function phaseBecomes(rig: GateRig, phase: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = (await askDaemon(rig.dataDir, { cmd: 'status' }, 2_000).catch(() => null)) as {
      phase?: string;
    } | null;
    if (status?.phase === phase) return true;
    await sleep(100);
  }
  return false;
}

/**
 * Whatever the commands said, the portal's word is the binding: the daemon's (control socket)
 * must become the venue the portal has, whole. (A bind can reach the portal and the daemon die
 * before it stored it: the next authorize brings it home.)
 */
async function portalBindingCheck(c: FaultContext, rig: GateRig): Promise<string> {
  const { venueCode } = await c.portal.binding(rig.deviceId);
  if (venueCode === null) return 'the portal has the gate unbound';
  const index = c.venueCodes(rig.index).indexOf(venueCode);
  if (index === 0 || index === 1) c.boundVenue.set(rig.index, index);
  return bindingCheck(rig, venueCode, 20_000);
}

/** The daemon's binding (control socket) becomes `code`, with that venue's own name; a note either way. */
async function bindingCheck(rig: GateRig, code: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const status = (await askDaemon(rig.dataDir, { cmd: 'status' }, 2_000).catch(() => null)) as {
      binding?: { venueCode: string; venueName: string } | null;
    } | null;
    const b = status?.binding;
    if (b) {
      const whole = b.venueName === `Soak gate ${rig.index} ${b.venueCode.endsWith('-a') ? 'A' : 'B'}`;
      last = `${b.venueCode}${whole ? '' : ' with the name of another venue (torn binding)'}`;
      if (whole && b.venueCode === code) return `binding whole and the portal's (${code})`;
      if (!whole) return `binding NOT whole: ${last}`;
    }
    await sleep(500);
  }
  return `binding NOT the portal's within ${timeoutMs / 1000} s: ${last}`;
}

/**
 * A technician's `passgate rebind <venue>` and a `passgate config set` started together, beside
 * the running daemon: three processes on one SQLite file. Both commands must succeed (or fail
 * with a defined code), and the daemon must end up with both results.
 */
async function rebindRace(c: FaultContext, rig: GateRig): Promise<string[]> {
  const target: 0 | 1 = c.boundVenue.get(rig.index) === 0 ? 1 : 0;
  const code = c.venueCodes(rig.index)[target];
  const limit = String(1 + Math.round(Math.random()));
  const [rebind, set] = await Promise.all([
    c.cli(rig.index, ['rebind', code, '--json']),
    c.cli(rig.index, ['config', 'set', 'gate.queueLimit', limit]),
  ]);
  const notes = [`rebind exit ${rebind.code}, config set exit ${set.code}`];
  notes.push(await portalBindingCheck(c, rig));
  const got = await c.cli(rig.index, ['config', 'get', 'gate.queueLimit']);
  notes.push(
    set.code === 0 && got.stdout.trim() !== limit
      ? `gate.queueLimit reads ${got.stdout.trim()} after setting ${limit}: LOST WRITE`
      : `gate.queueLimit ${got.stdout.trim()}`,
  );
  return notes;
}
