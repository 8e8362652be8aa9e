// Every outcome of a scan, from the scanner or card reader through the real portal client and the
// HTTPS mock portal to the GPIO value files. The portal round trip runs in real time while the
// fake clock stands still (so no gate timer can fire meanwhile); the pattern then plays on the
// fake clock, frame by frame, and both the write sequence and the files are checked against the
// pattern table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import type { OutcomeKind, SignalKind } from '../../../firmware/core/outcome.js';
import { demoCard, GATE_VENUE } from '../../../scripts/lab/provisioned-gate.js';
import { allOutputsOff } from '../../../ui-led/outputs.js';
import { DEFAULT_PATTERNS } from '../../../ui-led/patterns.js';
import { until } from '../../support/polling.js';
import { expectedStates, expectedWrites } from './expected-pattern.js';
import { BASE_POLICY, type RunnerRig, startRunnerRig } from './runner-rig.js';

/**
 * Triggers one input, waits (in real time) for its verdict, then plays the whole pattern on the
 * fake clock and checks the files after every frame and the exact writes at the end. Leaves the
 * gate resting again (show time over).
 */
async function expectPattern(
  rig: RunnerRig,
  clock: FakeClock,
  kind: SignalKind,
  trigger: () => void,
  outcome?: OutcomeKind,
): Promise<void> {
  const t0 = clock.now();
  const writesBefore = rig.tap.writes.length;
  const verdictsBefore = rig.logger.verdicts.length;
  trigger();
  if (outcome !== undefined) expect((await rig.logger.verdict(verdictsBefore)).outcome).toBe(outcome);
  const states = expectedStates(kind);
  for (const { atMs, state } of states) {
    await clock.advanceTo(t0 + atMs);
    await rig.player.idle();
    expect({ atMs, pins: rig.pins() }).toEqual({ atMs, pins: state });
  }
  const writes = rig.tap.writes.slice(writesBefore).map((w) => ({ atMs: w.atMs - t0, changes: w.changes }));
  expect(writes).toEqual(expectedWrites(states));
  await clock.advanceTo(t0 + BASE_POLICY.showMs);
  await rig.player.idle();
}

describe('gate runner over the HTTPS mock portal, file-GPIO outputs', () => {
  const clock = new FakeClock(1_000_000);
  let rig: RunnerRig;

  beforeAll(async () => {
    rig = await startRunnerRig({ clock });
  });
  afterAll(async () => {
    await rig?.close();
  });

  const code = (keyword: Parameters<RunnerRig['fixture']['mock']['passCodeFor']>[0]) =>
    rig.fixture.mock.passCodeFor(keyword);

  it('green pass code → pass: green, one beep, relay pulsed (active-low file)', async () => {
    await expectPattern(rig, clock, 'pass', () => rig.scanner.inject(code('green')), 'pass');
    expect(rig.tap.shown.at(-1)?.kind).toBe('pass');
  });

  it('yellow pass code → deny: red and a long beep, relay never on', async () => {
    await expectPattern(rig, clock, 'deny', () => rig.scanner.inject(code('yellow')), 'deny');
  });

  it('tampered pass code → show-code', async () => {
    await expectPattern(rig, clock, 'show-code', () => rig.scanner.inject(code('tampered')), 'show-code');
  });

  it('苏康码 not updated for 15 days → check-skm', async () => {
    await expectPattern(rig, clock, 'check-skm', () => rig.scanner.inject(code('stale')), 'check-skm');
  });

  it('an ID card the portal does not know → check-skm', async () => {
    await expectPattern(
      rig,
      clock,
      'check-skm',
      () => rig.cards.present(demoCard(rig.fixture.mock, 'unknown')),
      'check-skm',
    );
  });

  it("green resident's ID card → pass", async () => {
    await expectPattern(rig, clock, 'pass', () => rig.cards.present(demoCard(rig.fixture.mock, 'green')), 'pass');
  });

  it('two doses of three at a 3-dose venue → policy-deny', async () => {
    await expectPattern(rig, clock, 'policy-deny', () => rig.scanner.inject(code('partly-vaccinated')), 'policy-deny');
  });

  it('NAT too old with the venue set to warn → pass-with-notice (relay pulsed, red blinking over green)', async () => {
    rig.runner.setPolicy({ ...BASE_POLICY, natPolicy: 'warn' });
    try {
      await expectPattern(
        rig,
        clock,
        'pass-with-notice',
        () => rig.scanner.inject(code('nat-expired')),
        'pass-with-notice',
      );
    } finally {
      rig.runner.setPolicy(BASE_POLICY);
    }
    // The same code class is denied again once the policy is back to deny.
    await expectPattern(rig, clock, 'policy-deny', () => rig.scanner.inject(code('nat-expired')), 'policy-deny');
  });

  it('portal drops the connection → network-error, never the relay', async () => {
    rig.fixture.mock.server.setFaults({ dropConnection: true });
    try {
      await expectPattern(rig, clock, 'network-error', () => rig.scanner.inject(code('green')), 'network-error');
    } finally {
      rig.fixture.mock.server.clearFaults();
    }
  });

  it('unreadable card → read-error, decided without the portal', async () => {
    const requests = rig.fixture.mock.server.stats().requests;
    await expectPattern(rig, clock, 'read-error', () => rig.cards.fail('driver.card-invalid'), 'read-error');
    await expectPattern(rig, clock, 'read-error', () => rig.scanner.injectError('driver.frame-invalid'), 'read-error');
    expect(rig.fixture.mock.server.stats().requests).toBe(requests);
  });

  it('a rebind request while a verification is under way takes over; the late verdict changes nothing', async () => {
    rig.fixture.mock.server.setFaults({ latencyMs: 300 });
    try {
      const verdicts = rig.logger.verdicts.length;
      rig.scanner.inject(code('green'));
      expect(rig.runner.phase().kind).toBe('verifying');
      rig.runner.requestBindMode('rebind', 'rebind-during-verify');
      expect(rig.runner.phase().kind).toBe('bind-mode');
      await rig.player.idle();
      expect(rig.pins()).toEqual(expectedStates('bind-mode')[0].state);
      await rig.portal.allSettled(); // the portal's answer has arrived: the runner has seen it
      expect(rig.logger.verdicts.length).toBe(verdicts);
      expect(rig.runner.phase().kind).toBe('bind-mode');
      expect(rig.pins().relay).toBe(false);
    } finally {
      rig.fixture.mock.server.clearFaults();
    }
    // Nobody scans a venue code: bind mode times out with bind-failed, then the gate rests.
    await clock.advance(BASE_POLICY.bindModeMs);
    await rig.player.idle();
    expect(rig.logger.events('bind-failed').at(-1)).toMatchObject({ mode: 'rebind', code: 'gate.bind-timeout' });
    expect(rig.pins()).toEqual(expectedStates('bind-failed')[0].state);
    expect(rig.runner.phase().kind).toBe('idle');
    await clock.advance(DEFAULT_PATTERNS['bind-failed'].durationMs);
    await rig.player.idle();
    expect(rig.pins()).toEqual(allOutputsOff());
  });

  it('counts every outcome it showed', () => {
    expect(rig.runner.outcomeCounters()).toMatchObject({
      pass: 2,
      deny: 1,
      'show-code': 1,
      'check-skm': 2,
      'policy-deny': 2,
      'pass-with-notice': 1,
      'network-error': 1,
      'read-error': 2,
      'not-bound': 0,
    });
    expect(rig.pins()).toEqual(allOutputsOff());
  });
});

describe('gate runner on a device the portal has not bound', () => {
  const clock = new FakeClock(5_000_000);
  let rig: RunnerRig;

  beforeAll(async () => {
    // The runner believes it is bound (a stale local copy); the portal knows better.
    rig = await startRunnerRig({ clock, portalBound: false, runnerBound: true });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('portal answers NOT_BOUND → not-bound (slow blue blink), and the gate rests unbound', async () => {
    await expectPattern(
      rig,
      clock,
      'not-bound',
      () => rig.scanner.inject(rig.fixture.mock.passCodeFor('green')),
      'not-bound',
    );
    expect(rig.runner.phase().kind).toBe('unbound');
  });

  it('an unbound gate answers a scan with not-bound without asking the portal', async () => {
    await clock.advance(10_000); // past the standing not-bound signal and the duplicate window
    await rig.player.idle();
    const verifies = rig.fixture.mock.server.stats().byPath['/passgate/v1/verify/pass-code'] ?? 0;
    await expectPattern(
      rig,
      clock,
      'not-bound',
      () => rig.scanner.inject(rig.fixture.mock.passCodeFor('green')),
      'not-bound',
    );
    expect(rig.fixture.mock.server.stats().byPath['/passgate/v1/verify/pass-code'] ?? 0).toBe(verifies);
  });

  it('bind mode end to end: blue flash each second, venue code scanned, portal binds, bind-ok', async () => {
    await clock.advance(10_000);
    await rig.player.idle();
    const t0 = clock.now();
    const writesBefore = rig.tap.writes.length;
    rig.runner.requestBindMode('bind', 'bind-req-1');
    expect(rig.runner.phase().kind).toBe('bind-mode');
    // Two rounds of the looping bind-mode pattern, checked on the files.
    const rounds = expectedStates('bind-mode', 2);
    for (const { atMs, state } of rounds) {
      await clock.advanceTo(t0 + atMs);
      await rig.player.idle();
      expect({ atMs, pins: rig.pins() }).toEqual({ atMs, pins: state });
    }
    // A card is no venue code: ignored in bind mode.
    rig.cards.present(demoCard(rig.fixture.mock, 'green'));
    expect(rig.runner.phase().kind).toBe('bind-mode');
    // The current state comes from the loop: the bind-ok pattern starts from it.
    await clock.advanceTo(t0 + 1500);
    await rig.player.idle();
    const from = rig.pins();
    const t1 = clock.now();
    const bindWrites = rig.tap.writes.length;
    rig.scanner.inject(GATE_VENUE.venueCode);
    expect(rig.runner.phase().kind).toBe('binding');
    await until(() => rig.bindResults.length > 0, undefined, 'the bind result');
    expect(rig.bindResults).toEqual([
      {
        bindRequestId: 'bind-req-1',
        mode: 'bind',
        ok: true,
        venue: expect.objectContaining({ code: GATE_VENUE.venueCode }),
      },
    ]);
    const states = expectedStates('bind-ok');
    for (const { atMs, state } of states) {
      await clock.advanceTo(t1 + atMs);
      await rig.player.idle();
      expect({ atMs, pins: rig.pins() }).toEqual({ atMs, pins: state });
    }
    const writes = rig.tap.writes.slice(bindWrites).map((w) => ({ atMs: w.atMs - t1, changes: w.changes }));
    expect(writes).toEqual(expectedWrites(states, from));
    expect(rig.tap.writes.slice(writesBefore, bindWrites).every((w) => w.changes.relay !== true)).toBe(true);
    expect(rig.runner.phase().kind).toBe('idle');
  });

  it('once bound, the same gate passes a green code', async () => {
    await clock.advance(10_000);
    await rig.player.idle();
    await expectPattern(rig, clock, 'pass', () => rig.scanner.inject(rig.fixture.mock.passCodeFor('green')), 'pass');
  });
});
