// Every interface of the portal client against the real mock portal over loopback HTTPS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../firmware/core/verdict.js';
import type { PortalClient } from '../../portal-client/client.js';
import { DEMO_PASS_CODE_KEYWORDS, demoVenues } from '../../portal-client/mock/domain/demo-dataset.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../scripts/lab/portal-fixture.js';
import { startStopwatch } from '../support/cpu-wait.js';
import { rejection } from '../support/failures.js';

let f: PortalFixture;
let client: PortalClient;

beforeAll(async () => {
  f = await startPortalFixture();
  client = f.client();
});
afterAll(async () => f.close());

const EXPECTED_OPINION: Record<string, Verdict['opinion']> = {
  green: 'PASS',
  yellow: 'DENY',
  red: 'DENY',
  'control-list': 'DENY',
  'red-list': 'DENY',
  stale: 'CHECK_SKM',
  'no-skm': 'CHECK_SKM',
  'nat-expired': 'PASS',
  'nat-24h': 'PASS',
  unvaccinated: 'PASS',
  'partly-vaccinated': 'PASS',
  invalid: 'SHOW_CODE',
  expired: 'SHOW_CODE',
  tampered: 'SHOW_CODE',
};

describe('portal client ↔ mock portal (HTTPS, pinned CA)', () => {
  it('verification before binding is refused with a distinct error', async () => {
    const error = await rejection(client.verifyPassCode(f.mock.passCodeFor('green')));
    expect(error.code).toBe('portal.not-bound');
    expect(client.status().binding).toBeNull();
  });

  it('authorize reports the clock offset and no binding', async () => {
    const watch = startStopwatch();
    const summary = await client.authorize();
    expect(summary.binding).toBeNull();
    // The mock runs on this process's clock: the estimate is off by at most the round trip, which
    // took no longer than the call (a bound that follows the machine's load).
    expect(Math.abs(summary.clockOffsetMs)).toBeLessThanOrEqual(Math.ceil(watch.elapsedMs()) + 1);
    expect(client.status().tokenValid).toBe(true);
  });

  it('bind to an unknown venue is refused', async () => {
    expect((await rejection(client.bind('no-such-venue'))).code).toBe('portal.venue-unknown');
  });

  it('rebind before bind is refused as not bound', async () => {
    expect((await rejection(client.rebind(demoVenues()[0].venueCode))).code).toBe('portal.not-bound');
  });

  it('bind returns the venue with its category and presets; binding again says rebind', async () => {
    const venue = demoVenues()[0];
    const result = await client.bind(venue.venueCode);
    expect(result.venue).toEqual({
      code: venue.venueCode,
      name: venue.name,
      category: venue.category,
      natValidityHours: venue.natValidityHours,
      vaccinationDoses: venue.vaccinationDoses,
    });
    expect((await rejection(client.bind(venue.venueCode))).code).toBe('portal.already-bound');
  });

  it('every opinion and every preset combination', async () => {
    const seen = new Set<string>();
    for (const venue of demoVenues()) {
      await client.rebind(venue.venueCode);
      for (const keyword of DEMO_PASS_CODE_KEYWORDS) {
        const verdict = await client.verifyPassCode(f.mock.passCodeFor(keyword));
        expect(verdict.opinion, `${keyword} at ${venue.venueCode}`).toBe(EXPECTED_OPINION[keyword]);
        seen.add(verdict.opinion);
        const person = verdict.opinion !== 'SHOW_CODE';
        expect(verdict.maskedName !== null).toBe(person);
        if (!person) continue;
        // Findings appear exactly when the venue presets ask for them.
        expect(verdict.nat !== undefined).toBe(venue.natValidityHours !== null);
        expect(verdict.vaccination !== undefined).toBe(venue.vaccinationDoses !== null);
        if (verdict.nat) {
          const expectValid =
            keyword === 'nat-expired' ? false : keyword === 'nat-24h' ? venue.natValidityHours !== 24 : true;
          expect(verdict.nat.valid, `${keyword} nat ${venue.natValidityHours}`).toBe(expectValid);
        }
        if (verdict.vaccination) {
          expect(verdict.vaccination.complete).toBe(keyword !== 'unvaccinated' && keyword !== 'partly-vaccinated');
        }
      }
    }
    expect([...seen].sort()).toEqual(['CHECK_SKM', 'DENY', 'PASS', 'SHOW_CODE']);
  });

  it('ID-card verification: a known resident, and an unknown person gets CHECK_SKM', async () => {
    const ref = f.mock.state.demo.residents.red;
    const resident = f.mock.state.residents.byRef(ref)!;
    const known = await client.verifyIdCard({ cardType: 'resident', name: resident.name, idNumber: resident.idNumber });
    expect(known.opinion).toBe('DENY');
    expect(known.maskedId).toMatch(/^[0-9]\*{16}[0-9X]$/);
    const unknown = await client.verifyIdCard({ cardType: 'resident', ...f.mock.state.demo.unknownPerson });
    expect(unknown.opinion).toBe('CHECK_SKM');
  });

  it('a device of a suspended vendor cannot authorize', async () => {
    const key = crypto.sm2GenerateKeyPair();
    f.mock.registerDevice('WX-SUSPENDED-1', key.publicKey, 'vendor-suspended');
    const other = f.client({
      identity: {
        deviceId: 'WX-SUSPENDED-1',
        privateKey: key.privateKey,
        appId: f.mock.vendor.appId,
        appSecret: f.mock.vendor.appSecret,
      },
    });
    expect((await rejection(other.authorize())).code).toBe('portal.vendor-suspended');
  });

  it('an unregistered device, a wrong device key and wrong app credentials are refused', async () => {
    const key = crypto.sm2GenerateKeyPair();
    const base = { privateKey: key.privateKey, appId: f.mock.vendor.appId, appSecret: f.mock.vendor.appSecret };
    expect((await rejection(f.client({ identity: { deviceId: 'WX-NOBODY', ...base } }).authorize())).code).toBe(
      'portal.device-unknown',
    );
    expect((await rejection(f.client({ identity: { deviceId: f.deviceId, ...base } }).authorize())).code).toBe(
      'portal.auth-failed',
    );
    const wrongSecret = {
      deviceId: f.deviceId,
      privateKey: f.deviceKey.privateKey,
      appId: f.mock.vendor.appId,
      appSecret: 'wrong-secret',
    };
    expect((await rejection(f.client({ identity: wrongSecret }).authorize())).code).toBe('portal.auth-failed');
  });

  it('a portal with another key cannot open our session: authorize fails, nothing is trusted', async () => {
    const impostorKey = crypto.sm2GenerateKeyPair();
    const c = f.client({ portalPublicKey: impostorKey.publicKey });
    expect((await rejection(c.authorize())).code).toBe('portal.rejected');
  });

  it('a client that does not pin the mock CA refuses the TLS connection', async () => {
    const { createPortalTransport } = await import('../../portal-client/transport.js');
    const { timeoutTable } = await import('../../firmware/core/timeouts.js');
    const c = f.client({ transport: createPortalTransport({ url: f.mock.url, timeouts: timeoutTable() }) });
    expect((await rejection(c.authorize())).code).toBe('portal.auth-failed');
  });

  it('plain http:// is refused without the dev flag', async () => {
    const { createPortalTransport } = await import('../../portal-client/transport.js');
    const { timeoutTable } = await import('../../firmware/core/timeouts.js');
    expect(() => createPortalTransport({ url: 'http://127.0.0.1:1', timeouts: timeoutTable() })).toThrow(
      expect.objectContaining({ code: 'portal.insecure-url' }),
    );
  });
});
