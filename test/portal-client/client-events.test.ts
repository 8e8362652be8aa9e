// The client's operational events, for the daemon's log: an answer that fails authentication and a
// clock correction are told, with codes and numbers only, over real loopback HTTPS.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PortalClientEvent } from '../../portal-client/client.js';
import { demoVenues } from '../../portal-client/mock/domain/demo-dataset.js';
import { PATHS } from '../../portal-client/protocol/constants.js';
import { type PortalFixture, startPortalFixture } from '../../scripts/lab/portal-fixture.js';
import { rejection } from '../support/failures.js';

const TEN_MINUTES = 600_000;
const DEADLINE_MS = 2500;

let f: PortalFixture;
let green: string;

beforeAll(async () => {
  f = await startPortalFixture({ deviceId: 'WX-EVENTS-0001' });
  await f.client().bind(demoVenues()[2].venueCode);
  green = f.mock.passCodeFor('green');
});
afterEach(() => f.mock.server.clearFaults());
afterAll(async () => f.close());

function clientWithEvents() {
  const events: PortalClientEvent[] = [];
  const client = f.client({ timeouts: { verifyDeadlineMs: DEADLINE_MS }, onEvent: (e) => events.push(e) });
  return { client, events };
}

describe('an answer that fails authentication', () => {
  it('of a verification: one response-unauthenticated event with the code, the path and the check', async () => {
    const { client, events } = clientWithEvents();
    await client.authorize();
    events.length = 0;
    f.mock.server.setFaults({ wrongMac: true, paths: [PATHS.verifyPassCode] });
    expect((await rejection(client.verifyPassCode(green))).code).toBe('portal.auth-failed');
    expect(events).toEqual([
      { type: 'response-unauthenticated', code: 'portal.auth-failed', path: PATHS.verifyPassCode, check: 'mac' },
    ]);
    expect(JSON.stringify(events)).not.toContain(green);
  });

  it('of an authorize: the same event, naming the authorize path, beside authorize-failed', async () => {
    const { client, events } = clientWithEvents();
    f.mock.server.setFaults({ wrongMac: true, paths: [PATHS.authorize] });
    expect((await rejection(client.authorize())).code).toBe('portal.auth-failed');
    expect(events).toEqual([
      { type: 'response-unauthenticated', code: 'portal.auth-failed', path: PATHS.authorize, check: 'mac' },
      { type: 'authorize-failed', code: 'portal.auth-failed' },
    ]);
  });

  it('a portal that refuses our identity (also portal.auth-failed) is no such event: its answer was genuine', async () => {
    const { client, events } = clientWithEvents();
    await client.authorize();
    events.length = 0;
    f.mock.server.setFaults({ sealedError: 'BAD_SIGNATURE', paths: [PATHS.verifyPassCode] });
    expect((await rejection(client.verifyPassCode(green))).code).toBe('portal.auth-failed');
    expect(events).toEqual([]);
  });
});

describe('a clock correction', () => {
  it('at authorize (plaintext CLOCK_SKEW): clock-corrected with the new offset and the change', async () => {
    const { client, events } = clientWithEvents();
    f.mock.server.setFaults({ clockSkewMs: TEN_MINUTES });
    await client.authorize();
    const corrected = events.filter((e) => e.type === 'clock-corrected');
    expect(corrected).toHaveLength(1);
    expect(corrected[0]).toEqual({
      type: 'clock-corrected',
      clockOffsetMs: expect.any(Number),
      changeMs: expect.any(Number),
    });
    const { clockOffsetMs, changeMs } = corrected[0] as Extract<PortalClientEvent, { type: 'clock-corrected' }>;
    expect(Math.abs(clockOffsetMs - TEN_MINUTES)).toBeLessThan(2000);
    expect(Math.abs(changeMs - TEN_MINUTES)).toBeLessThan(2000);
    expect(Number.isInteger(clockOffsetMs)).toBe(true);
  });

  it('mid-session (sealed CLOCK_SKEW): clock-corrected once, then once more when the skew goes away', async () => {
    const { client, events } = clientWithEvents();
    await client.authorize();
    events.length = 0;
    f.mock.server.setFaults({ clockSkewMs: -TEN_MINUTES });
    expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
    f.mock.server.clearFaults();
    expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
    const offsets = events.flatMap((e) => (e.type === 'clock-corrected' ? [e.clockOffsetMs] : []));
    expect(offsets).toHaveLength(2);
    expect(Math.abs(offsets[0] + TEN_MINUTES)).toBeLessThan(2000);
    expect(Math.abs(offsets[1])).toBeLessThan(2000);
  });
});
