// Every fault the mock portal can inject, over real loopback HTTPS: the verification answers
// correctly or fails with the right typed error within its deadline (a behavioural bound, not a
// performance measurement), and the client recovers once the fault is gone.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../firmware/core/errors.js';
import type { PortalClient, PortalClientEvent } from '../../../portal-client/client.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import type { FaultSettings } from '../../../portal-client/mock/faults.js';
import { PATHS } from '../../../portal-client/protocol/constants.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { rejection } from '../../support/failures.js';
import { timed } from './fault-tools.js';

/** Short verification deadline for the failure cases. */
const DEADLINE_MS = 500;
/** Deadline when the verification legitimately includes an authorize (SM2 on both sides). */
const DEADLINE_WITH_AUTHORIZE_MS = 2500;
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
}

const CASES: FaultCase[] = [
  { name: 'latency beyond the deadline', faults: { latencyMs: DEADLINE_MS * 2 }, code: 'portal.timeout' },
  { name: 'dropped connection', faults: { dropConnection: true }, code: 'portal.unreachable' },
  { name: 'HTTP 500', faults: { httpStatus: 500 }, code: 'portal.unreachable' },
  { name: 'HTTP 503', faults: { httpStatus: 503 }, code: 'portal.unreachable' },
  { name: 'malformed JSON', faults: { malformedJson: true }, code: 'portal.bad-response' },
  { name: 'wrong response MAC', faults: { wrongMac: true }, code: 'portal.auth-failed' },
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
    it(`${c.name} → ${c.code} within ${DEADLINE_MS} ms, then recovers`, async () => {
      const client = f.client({ timeouts: { verifyDeadlineMs: DEADLINE_MS } });
      await client.authorize();
      f.mock.server.setFaults({ ...c.faults, paths: [PATHS.verifyPassCode] });
      await expectFailureWithinDeadline(client, c.code, DEADLINE_MS);
      await expectFailureWithinDeadline(client, c.code, DEADLINE_MS); // and again: no state left behind
      f.mock.server.clearFaults();
      await expectPassWithinDeadline(client, DEADLINE_MS);
    });
  }
});

describe('a fault on every path, hitting a client that still has to authorize', () => {
  for (const c of CASES) {
    it(`${c.name} → ${c.code} within ${DEADLINE_MS} ms, then recovers`, async () => {
      const client = f.client({ timeouts: { verifyDeadlineMs: DEADLINE_MS } });
      f.mock.server.setFaults(c.faults);
      await expectFailureWithinDeadline(client, c.code, DEADLINE_MS);
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
      timeouts: { verifyDeadlineMs: DEADLINE_WITH_AUTHORIZE_MS },
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
      const client = f.client({ timeouts: { verifyDeadlineMs: DEADLINE_WITH_AUTHORIZE_MS } });
      f.mock.server.resetStats();
      const callMs = await expectPassWithinDeadline(client, DEADLINE_WITH_AUTHORIZE_MS);
      const stats = f.mock.server.stats();
      expect(stats.byPath[PATHS.authorize]).toBe(2);
      expect(stats.byPath[PATHS.verifyPassCode]).toBe(1);
      expectOffset(client, skew, callMs);
    });

    it(`clock skew ${label} appearing mid-session: one sealed CLOCK_SKEW, one corrected resend, and back when the skew goes`, async () => {
      const client = f.client({ timeouts: { verifyDeadlineMs: DEADLINE_MS } });
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
