// A failing portal ends every scan in network-error within the verification deadline, on the
// real clock and the real loopback connection, and never opens the gate.
//
// Only a portal too slow to answer needs the gate's deadline to fire, so only then is it short.
// For the other faults the deadlines are liveness bounds and the test asserts how fast the
// network-error came on the stopwatch that leaves out CPU wait: a real deadline of 600 ms would
// otherwise race the machine's load, and on a machine busy enough turn a prompt MAC failure into
// a timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../firmware/core/clock.js';
import type { ErrorCode } from '../../../firmware/core/errors.js';
import type { FaultSettings } from '../../../portal-client/mock/faults.js';
import { allOutputsOff } from '../../../ui-led/outputs.js';
import { startStopwatch } from '../../support/cpu-wait.js';
import { EVENT_WAIT_MS, until } from '../../support/polling.js';
import { BASE_POLICY, type RunnerRig, startRunnerRig } from './runner-rig.js';

/** Short, so a latency fault beyond it costs the test little; the default is 3000. */
const DEADLINE_MS = 600;
/** Deadlines the test does not mean to fire. */
const LIVENESS_DEADLINE_MS = EVENT_WAIT_MS;
const POLICY = { ...BASE_POLICY, showMs: 50, dedupWindowMs: 0 };
/**
 * How long after the deadline the outcome may show: timer granularity and the gate's own work.
 * Measured without the time this process waited for a CPU (support/cpu-wait.ts), so a loaded
 * machine needs no more; a deadline timer set too long still fails.
 */
const MARGIN_MS = 500;

describe('portal faults → network-error within the deadline', () => {
  let rig: RunnerRig;

  beforeAll(async () => {
    rig = await startRunnerRig({
      clock: systemClock,
      policy: { ...POLICY, verifyDeadlineMs: LIVENESS_DEADLINE_MS },
      clientTimeouts: { verifyDeadlineMs: LIVENESS_DEADLINE_MS },
    });
  });
  afterAll(async () => {
    await rig?.close();
  });

  // The verdict line names the cause, so a technician can tell a dead link from a lying portal.
  const faults: Array<[string, Partial<FaultSettings>, ErrorCode]> = [
    ['answers after 2 s (beyond the deadline)', { latencyMs: 2000 }, 'portal.timeout'],
    ['drops the connection', { dropConnection: true }, 'portal.unreachable'],
    ['answers HTTP 503', { httpStatus: 503 }, 'portal.unreachable'],
    ['seals its answer with a wrong MAC', { wrongMac: true }, 'portal.auth-failed'],
    ['answers 200 with a body that is not JSON', { malformedJson: true }, 'portal.bad-response'],
  ];

  /** The gate's verification deadline from now on. */
  const gateDeadline = (ms: number) => rig.runner.setPolicy({ ...POLICY, verifyDeadlineMs: ms });

  for (const [title, fault, cause] of faults) {
    it(`portal ${title}`, async () => {
      gateDeadline(cause === 'portal.timeout' ? DEADLINE_MS : LIVENESS_DEADLINE_MS);
      rig.fixture.mock.server.setFaults(fault);
      try {
        const index = rig.logger.verdicts.length;
        const relayWritesBefore = rig.tap.writes.filter((w) => w.changes.relay === true).length;
        const watch = startStopwatch();
        rig.scanner.inject(rig.fixture.mock.passCodeFor('green'));
        const verdict = await rig.logger.verdict(index);
        const activeMs = watch.activeMs();
        expect(verdict.outcome).toBe('network-error');
        expect(verdict.cause).toBe(cause);
        expect(activeMs).toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS);
        expect(rig.tap.writes.filter((w) => w.changes.relay === true).length).toBe(relayWritesBefore);
        // Show time (50 ms) over: the gate rests again.
        await until(() => rig.runner.phase().kind === 'idle', undefined, 'the gate to rest');
        // The client's own deadline is long: let a late answer come in before the next test.
        await rig.portal.allSettled();
      } finally {
        rig.fixture.mock.server.clearFaults();
      }
    });
  }

  it('a late answer after the deadline changes nothing; the portal back → pass', async () => {
    gateDeadline(DEADLINE_MS);
    rig.fixture.mock.server.setFaults({ latencyMs: DEADLINE_MS + 200 });
    const index = rig.logger.verdicts.length;
    rig.scanner.inject(rig.fixture.mock.passCodeFor('green'));
    expect((await rig.logger.verdict(index)).outcome).toBe('network-error');
    rig.fixture.mock.server.clearFaults();
    await rig.portal.allSettled(); // the late answer has arrived (or the client's deadline cut it off)
    expect(rig.logger.verdicts.length).toBe(index + 1);
    await until(() => rig.runner.phase().kind === 'idle', undefined, 'the gate to rest');
    gateDeadline(LIVENESS_DEADLINE_MS);
    rig.scanner.inject(rig.fixture.mock.passCodeFor('green'));
    expect((await rig.logger.verdict(index + 1)).outcome).toBe('pass');
    const counters = rig.runner.outcomeCounters();
    expect(counters.pass).toBe(1);
    expect(counters['network-error']).toBe(faults.length + 1);
    // The pass pattern ends (1.5 s) with everything off, relay included.
    await until(() => rig.player.status().playing === null, undefined, 'the pass pattern to end');
    await rig.player.idle();
    expect(rig.pins()).toEqual(allOutputsOff());
  });
});
