// Every fault the mock portal can inject, over real loopback HTTPS: the verification answers
// correctly or fails with the right typed error within its deadline (a behavioural bound, not a
// performance measurement), and the client recovers once the fault is gone.
//
// Only the latency case needs the client's deadline to fire, so only there is it short. Elsewhere
// the client gets a deadline it cannot reach (LIVENESS_DEADLINE_MS) and the test asserts how fast
// the answer or the typed failure came on the stopwatch that leaves out CPU wait: a real deadline
// of half a second would otherwise race the machine's load, and on a machine busy enough turn a
// pass or a prompt MAC failure into portal.timeout.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../firmware/core/errors.js';
import type { PortalClient, PortalClientEvent } from '../../../portal-client/client.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import type { FaultSettings } from '../../../portal-client/mock/faults.js';
import { PATHS } from '../../../portal-client/protocol/constants.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { rejection } from '../../support/failures.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';
import { timed } from './fault-tools.js';

/** How fast a verification answers or fails, on the stopwatch without CPU wait. */
const DEADLINE_MS = 500;
/** The same when the verification legitimately includes an authorize (SM2 on both sides). */
const DEADLINE_WITH_AUTHORIZE_MS = 2500;
/**
 * The client's real deadline in the latency case, which must fire there (the fault answers
 * after twice as long) yet be met by the same client's next verification once the fault is gone.
 */
const LATENCY_CASE_DEADLINE_MS = 2000;
/** The client's deadline where the test does not mean it to fire: a liveness bound. */
const LIVENESS_DEADLINE_MS = EVENT_WAIT_MS;
/**
 * Allowed past a deadline: timer granularity and the client's own work once it fires. Measured
 * without the time this process waited for a CPU (fault-tools.ts `timed`), so a loaded machine
 * needs no more.
 */
const SLACK_MS = 250;
const TEN_MINUTES = 10 * 60_000;

let f: PortalFixture;
let green: string;

beforeAll(async () => {
  f = await startPortalFixture({ deviceId: 'WX-FAULTS-0001' });
  await f.client().bind(demoVenues()[2].venueCode);
  green = f.mock.passCodeFor('green');
});
afterEach(() => f.mock.server.clearFaults());
afterAll(async () => f.close());

interface FaultCase {
  name: string;
  faults: Partial<FaultSettings>;
  code: ErrorCode;
  /** The client's verification deadline (real time). */
  clientDeadlineMs: number;
  /** The bound on the stopwatch without CPU wait. */
  withinMs: number;
}

const CASES: FaultCase[] = [
  {
    name: 'latency beyond the deadline',
    faults: { latencyMs: LATENCY_CASE_DEADLINE_MS * 2 },
    code: 'portal.timeout',
    clientDeadlineMs: LATENCY_CASE_DEADLINE_MS,
    withinMs: LATENCY_CASE_DEADLINE_MS,
  },
  ...(
    [
      ['dropped connection', { dropConnection: true }, 'portal.unreachable'],
      ['HTTP 500', { httpStatus: 500 }, 'portal.unreachable'],
      ['HTTP 503', { httpStatus: 503 }, 'portal.unreachable'],
      ['malformed JSON', { malformedJson: true }, 'portal.bad-response'],
      ['wrong response MAC', { wrongMac: true }, 'portal.auth-failed'],
    ] as const
  ).map(([name, faults, code]) => ({
    name,
    faults,
    code,
    clientDeadlineMs: LIVENESS_DEADLINE_MS,
    withinMs: DEADLINE_MS,
  })),
];

async function expectFailureWithinDeadline(client: PortalClient, code: ErrorCode, deadlineMs: number): Promise<void> {
  const { activeMs, result } = await timed(() => client.verifyPassCode(green));
  // Never a verdict: the promise must reject, with exactly this code.
  expect(result.status).toBe('rejected');
  const error = await rejection(Promise.reject((result as PromiseRejectedResult).reason));
  expect(error.code).toBe(code);
  expect(activeMs).toBeLessThanOrEqual(deadlineMs + SLACK_MS);
  expect(client.status().lastErrorCode).toBe(code);
}

/** Returns the wall-clock ms the verification took. */
async function expectPassWithinDeadline(client: PortalClient, deadlineMs: number): Promise<number> {
  const { elapsedMs, activeMs, result } = await timed(() => client.verifyPassCode(green));
  if (result.status === 'rejected') throw result.reason;
  expect(result.value.opinion).toBe('PASS');
  expect(activeMs).toBeLessThanOrEqual(deadlineMs + SLACK_MS);
  expect(client.status().lastErrorCode).toBeNull();
  return elapsedMs;
}

/**
 * The client's estimate of the portal's clock is off by at most the round trip of the exchange
 * it came from (the mock runs on this process's clock, shifted by the skew fault), and that
 * exchange took no longer than the call around it (`callMs`, wall clock): a bound that follows the
 * machine's load, tighter than a fixed tolerance when the machine is idle.
 */
function expectOffset(client: PortalClient, skew: number, callMs: number): void {
  expect(Math.abs(client.status().clockOffsetMs - skew)).toBeLessThanOrEqual(Math.ceil(callMs) + 1);
}

describe('a fault on the verification of an authorized client', () => {
  for (const c of CASES) {
    it(`${c.name} → ${c.code} within ${c.withinMs} ms, then recovers`, async () => {
      const client = f.client({ timeouts: { verifyDeadlineMs: c.clientDeadlineMs } });
      await client.authorize();
      f.mock.server.setFaults({ ...c.faults, paths: [PATHS.verifyPassCode] });
      await expectFailureWithinDeadline(client, c.code, c.withinMs);
      await expectFailureWithinDeadline(client, c.code, c.withinMs); // and again: no state left behind
      f.mock.server.clearFaults();
      await expectPassWithinDeadline(client, DEADLINE_MS);
    });
  }
});

describe('a fault on every path, hitting a client that still has to authorize', () => {
  for (const c of CASES) {
    it(`${c.name} → ${c.code} within ${c.withinMs} ms, then recovers`, async () => {
      const client = f.client({ timeouts: { verifyDeadlineMs: c.clientDeadlineMs } });
      f.mock.server.setFaults(c.faults);
      await expectFailureWithinDeadline(client, c.code, c.withinMs);
      expect(client.status().tokenValid).toBe(false);
      f.mock.server.clearFaults();
      // An authorize already sent keeps running in the background (within adminDeadlineMs) and
      // a new one joins it: once it has settled the client holds a session again.
      await client.authorize();
      expect(client.status().tokenValid).toBe(true);
      await expectPassWithinDeadline(client, DEADLINE_MS);
    });
  }
});

describe('token expiry and clock skew are corrected transparently', () => {
  it('an expired token: one transparent re-authorize (exactly one extra authorize request), the verification still passes', async () => {
    const events: PortalClientEvent[] = [];
    const client = f.client({
      timeouts: { verifyDeadlineMs: LIVENESS_DEADLINE_MS },
      onEvent: (e) => events.push(e),
    });
    await client.authorize();
    f.mock.server.resetStats();
    events.length = 0;
    f.mock.server.expireTokens();
    await expectPassWithinDeadline(client, DEADLINE_WITH_AUTHORIZE_MS);
    const stats = f.mock.server.stats();
    expect(stats.byPath[PATHS.authorize]).toBe(1);
    expect(stats.byPath[PATHS.verifyPassCode]).toBe(2); // refused with TOKEN_INVALID, then answered
    expect(events.map((e) => e.type)).toEqual(['reauthorized-after-rejection', 'authorized']);
    // The next one needs no authorize at all.
    await expectPassWithinDeadline(client, DEADLINE_MS);
    expect(f.mock.server.stats().byPath[PATHS.authorize]).toBe(1);
  });

  for (const skew of [TEN_MINUTES, -TEN_MINUTES]) {
    const label = `${skew > 0 ? '+' : '−'}10 min`;

    it(`clock skew ${label} at authorize: refused once with CLOCK_SKEW, retried with the portal's time, then the verification passes`, async () => {
      f.mock.server.setFaults({ clockSkewMs: skew });
      const client = f.client({ timeouts: { verifyDeadlineMs: LIVENESS_DEADLINE_MS } });
      f.mock.server.resetStats();
      const callMs = await expectPassWithinDeadline(client, DEADLINE_WITH_AUTHORIZE_MS);
      const stats = f.mock.server.stats();
      expect(stats.byPath[PATHS.authorize]).toBe(2);
      expect(stats.byPath[PATHS.verifyPassCode]).toBe(1);
      expectOffset(client, skew, callMs);
    });

    it(`clock skew ${label} appearing mid-session: one sealed CLOCK_SKEW, one corrected resend, and back when the skew goes`, async () => {
      const client = f.client({ timeouts: { verifyDeadlineMs: LIVENESS_DEADLINE_MS } });
      const { elapsedMs: authorizeMs } = await timed(() => client.authorize());
      expectOffset(client, 0, authorizeMs);
      f.mock.server.setFaults({ clockSkewMs: skew });
      f.mock.server.resetStats();
      const skewedMs = await expectPassWithinDeadline(client, DEADLINE_MS);
      expect(f.mock.server.stats().byPath[PATHS.verifyPassCode]).toBe(2);
      expect(f.mock.server.stats().byPath[PATHS.authorize]).toBeUndefined();
      expectOffset(client, skew, skewedMs);
      f.mock.server.clearFaults();
      const backMs = await expectPassWithinDeadline(client, DEADLINE_MS);
      expectOffset(client, 0, backMs);
    });
  }
});
