// Who may talk to the mock portal, and in which order it checks (PROTOCOL.md §4, §5, §8): a
// suspended vendor's device keeps its binding but is refused with VENDOR_SUSPENDED; a device key
// replaced at the portal ends the sessions of the old key; authorize names unknown algorithms and
// undecryptable session keys; signatures are DER only; every plaintext error has its HTTP status.
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import type { PortalClient } from '../../../portal-client/client.js';
import { adminRequest } from '../../../portal-client/mock/cli/running-mock.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { PATHS } from '../../../portal-client/protocol/constants.js';
import { PLAIN_ERROR_STATUS } from '../../../portal-client/protocol/http-status.js';
import { type PortalErrorCode, readPlainError } from '../../../portal-client/protocol/messages.js';
import { createPortalTransport, type PortalTransport } from '../../../portal-client/transport.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { rejection } from '../../support/failures.js';
import { authorizeRequest, holdSession, macedRequest } from './session-tools.js';

let f: PortalFixture;
let green: string;
let transport: PortalTransport;

beforeAll(async () => {
  f = await startPortalFixture({ deviceId: 'WX-ACCESS-0001' });
  green = f.mock.passCodeFor('green');
  await f.client().bind(demoVenues()[0].venueCode);
  transport = createPortalTransport({ url: f.mock.url, caPem: f.mock.caPem ?? undefined, timeouts: timeoutTable() });
});
afterAll(async () => {
  await transport.close();
  await f.close();
});

/** A device of its own, registered for the demo vendor, with a client. */
function newDevice(deviceId: string): { client: PortalClient; key: ReturnType<typeof crypto.sm2GenerateKeyPair> } {
  const key = crypto.sm2GenerateKeyPair();
  f.mock.registerDevice(deviceId, key.publicKey);
  const client = f.client({
    identity: { deviceId, privateKey: key.privateKey, appId: f.mock.vendor.appId, appSecret: f.mock.vendor.appSecret },
  });
  return { client, key };
}

async function postAuthorize(body: unknown) {
  const raw = await transport.post(PATHS.authorize, {}, JSON.stringify(body), 3000);
  return { status: raw.status, error: readPlainError(JSON.parse(raw.text)).error };
}

describe('a suspended vendor', () => {
  it("its bound device's calls get VENDOR_SUSPENDED, not NOT_BOUND; the binding survives to approval", async () => {
    const { client } = newDevice('WX-SUSPEND-0001');
    const venue = demoVenues()[2];
    await client.bind(venue.venueCode);
    expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
    expect(f.mock.state.registry.suspendVendor(f.mock.vendor.id).ok).toBe(true);
    try {
      for (const call of [
        () => client.verifyPassCode(green),
        () => client.verifyIdCard({ cardType: 'resident', ...f.mock.state.demo.unknownPerson }),
        () => client.rebind(venue.venueCode),
      ]) {
        const refused = await rejection(call());
        expect(refused.code).toBe('portal.vendor-suspended');
        expect(refused.details).toMatchObject({ portalCode: 'VENDOR_SUSPENDED', authenticated: true });
      }
      expect(client.status().binding?.code).toBe(venue.venueCode); // never told NOT_BOUND
    } finally {
      expect(f.mock.state.registry.approveVendor(f.mock.vendor.id).ok).toBe(true);
    }
    expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
    expect(f.mock.state.registry.getBinding('WX-SUSPEND-0001')?.venueCode).toBe(venue.venueCode);
  });
});

describe('device registration', () => {
  it('a new key for a device ends the sessions of the old key; the same key again changes nothing', async () => {
    const { client, key } = newDevice('WX-REKEY-0001');
    await client.bind(demoVenues()[0].venueCode);
    f.mock.registerDevice('WX-REKEY-0001', key.publicKey); // the same key: sessions go on
    expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
    const replacement = crypto.sm2GenerateKeyPair();
    const answer = (await adminRequest(
      { url: f.mock.url, adminToken: f.mock.adminToken, caPem: f.mock.caPem },
      '/admin/devices',
      { deviceId: 'WX-REKEY-0001', publicKey: replacement.publicKey.toString('hex') },
      3000,
    )) as { replaced: boolean };
    expect(answer.replaced).toBe(true);
    // The old session is refused; re-authorizing with the old key fails its signature.
    expect((await rejection(client.verifyPassCode(green))).code).toBe('portal.auth-failed');
    const renewed = f.client({
      identity: {
        deviceId: 'WX-REKEY-0001',
        privateKey: replacement.privateKey,
        appId: f.mock.vendor.appId,
        appSecret: f.mock.vendor.appSecret,
      },
    });
    expect((await renewed.verifyPassCode(green)).opinion).toBe('PASS'); // the binding stayed
  });

  it('a public key that is not a point on the SM2 curve is refused, and says so', async () => {
    const offCurve = Buffer.from(crypto.sm2GenerateKeyPair().publicKey);
    offCurve[64] ^= 0x01;
    expect(() => f.mock.registerDevice('WX-OFFCURVE-1', offCurve)).toThrow(/not a point on the SM2 curve/);
    await expect(
      adminRequest(
        { url: f.mock.url, adminToken: f.mock.adminToken, caPem: f.mock.caPem },
        '/admin/devices',
        { deviceId: 'WX-OFFCURVE-1', publicKey: offCurve.toString('hex') },
        3000,
      ),
    ).rejects.toThrow(/not a point on the SM2 curve/);
    expect(f.mock.state.registry.getDevice('WX-OFFCURVE-1')).toBeUndefined();
  });
});

describe('authorize', () => {
  it('an algorithm OID other than §1 → UNSUPPORTED_ALGORITHM; an OID that is no OID → BAD_REQUEST', async () => {
    const base = authorizeRequest(f);
    const alg = base.alg as Record<string, string>;
    expect(
      await postAuthorize(authorizeRequest(f, { alg: { ...alg, bodyEncryption: '2.16.840.1.101.3.4.1.2' } })),
    ).toMatchObject({ status: 400, error: { code: 'UNSUPPORTED_ALGORITHM' } });
    expect(await postAuthorize(authorizeRequest(f, { alg: { ...alg, mac: 'hmac-sm3' } }))).toMatchObject({
      status: 400,
      error: { code: 'BAD_REQUEST' },
    });
  });

  it("a sessionKey that does not decrypt with the portal's key → SESSION_KEY_INVALID", async () => {
    const otherPortal = crypto.sm2GenerateKeyPair();
    const toOther = crypto.sm2Encrypt(otherPortal.publicKey, crypto.randomBytes(32)).toString('hex');
    expect(await postAuthorize(authorizeRequest(f, { sessionKey: toOther }))).toMatchObject({
      status: 400,
      error: { code: 'SESSION_KEY_INVALID' },
    });
  });

  it('signatures are DER only: the same signature as raw r‖s is BAD_REQUEST, in DER it authorizes', async () => {
    const good = authorizeRequest(f);
    const der = Buffer.from(good.sig as string, 'hex');
    const rLength = der[3];
    const r = der.subarray(4, 4 + rLength);
    const s = der.subarray(6 + rLength);
    const raw = Buffer.concat([r, s].map((v) => Buffer.concat([Buffer.alloc(32), v.subarray(-32)]).subarray(-32)));
    expect(raw).toHaveLength(64);
    expect(await postAuthorize({ ...good, sig: raw.toString('hex') })).toMatchObject({
      status: 400,
      error: { code: 'BAD_REQUEST' },
    });
    expect((await transport.post(PATHS.authorize, {}, JSON.stringify(good), 3000)).status).toBe(200);
    const held = await holdSession(f, green);
    try {
      // Bind's signature too: a sealed BAD_REQUEST for a body whose sig is not DER.
      expect(
        await held.call(PATHS.bind, { venueCode: demoVenues()[0].venueCode, sig: raw.toString('hex') }),
      ).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    } finally {
      await held.close();
    }
  });

  it('checks in the documented order', async () => {
    const stale = Date.now() - 10 * 60_000;
    const alg = authorizeRequest(f).alg as Record<string, string>;
    const cases: [string, unknown, PortalErrorCode][] = [
      [
        'unknown algorithm and a stale ts',
        authorizeRequest(f, { ts: stale, alg: { ...alg, hash: '1.2.3' } }),
        'UNSUPPORTED_ALGORITHM',
      ],
      ['a stale ts and an unknown device', authorizeRequest(f, { ts: stale, deviceId: 'WX-NOBODY' }), 'CLOCK_SKEW'],
      [
        'an unknown device and a bad signature',
        authorizeRequest(f, { deviceId: 'WX-NOBODY', sig: '3006020101020101' }),
        'DEVICE_UNKNOWN',
      ],
      [
        'wrong app credentials and a bad signature',
        authorizeRequest(f, { appSecret: 'wrong-secret-0000', sig: '3006020101020101' }),
        'APP_CREDENTIALS_INVALID',
      ],
    ];
    for (const [what, request, code] of cases) expect((await postAuthorize(request)).error.code, what).toBe(code);
    const once = authorizeRequest(f, { sessionKey: 'ab'.repeat(129) });
    expect((await postAuthorize(once)).error.code).toBe('SESSION_KEY_INVALID');
    expect((await postAuthorize(once)).error.code).toBe('REPLAY'); // the nonce is spent before decryption
  });
});

describe('HTTP status of every plaintext error', () => {
  it('each error the mock sends in plaintext has the status of the table, and carries portalTime', async () => {
    const held = await holdSession(f, green);
    const stale = Date.now() - 10 * 60_000;
    const replayed = authorizeRequest(f);
    expect((await transport.post(PATHS.authorize, {}, JSON.stringify(replayed), 3000)).status).toBe(200);
    const produced: [PortalErrorCode, () => Promise<{ status: number; text: string }>][] = [
      ['BAD_REQUEST', () => transport.post(PATHS.authorize, {}, 'not json', 3000)],
      [
        'UNSUPPORTED_ALGORITHM',
        () =>
          transport.post(
            PATHS.authorize,
            {},
            JSON.stringify(
              authorizeRequest(f, { alg: { ...(replayed.alg as object), hash: '1.2.3' } as Record<string, string> }),
            ),
            3000,
          ),
      ],
      [
        'SESSION_KEY_INVALID',
        () =>
          transport.post(
            PATHS.authorize,
            {},
            JSON.stringify(authorizeRequest(f, { sessionKey: 'ab'.repeat(129) })),
            3000,
          ),
      ],
      [
        'CLOCK_SKEW',
        () => transport.post(PATHS.authorize, {}, JSON.stringify(authorizeRequest(f, { ts: stale })), 3000),
      ],
      [
        'DEVICE_UNKNOWN',
        () => transport.post(PATHS.authorize, {}, JSON.stringify(authorizeRequest(f, { deviceId: 'WX-NOBODY' })), 3000),
      ],
      [
        'APP_CREDENTIALS_INVALID',
        () =>
          transport.post(
            PATHS.authorize,
            {},
            JSON.stringify(authorizeRequest(f, { appSecret: 'wrong-secret-0000' })),
            3000,
          ),
      ],
      [
        'BAD_SIGNATURE',
        () =>
          transport.post(PATHS.authorize, {}, JSON.stringify(authorizeRequest(f, { sig: '3006020101020101' })), 3000),
      ],
      ['REPLAY', () => transport.post(PATHS.authorize, {}, JSON.stringify(replayed), 3000)],
      [
        'TOKEN_INVALID',
        () => transport.post(PATHS.verifyPassCode, { authorization: 'PG1 no-such-token-0000' }, '{}', 3000),
      ],
      [
        'BAD_MAC',
        () => held.post(PATHS.verifyPassCode, { ...macedRequest(held, PATHS.verifyPassCode, {}), mac: '0'.repeat(64) }),
      ],
    ];
    try {
      for (const [code, send] of produced) {
        const answer = await send();
        expect(readPlainError(JSON.parse(answer.text)).error, code).toEqual({ code, portalTime: expect.any(Number) });
        expect(answer.status, code).toBe(PLAIN_ERROR_STATUS[code]);
      }
      // VENDOR_SUSPENDED, in plaintext from authorize.
      expect(f.mock.state.registry.suspendVendor(f.mock.vendor.id).ok).toBe(true);
      try {
        const suspended = await transport.post(PATHS.authorize, {}, JSON.stringify(authorizeRequest(f)), 3000);
        expect([suspended.status, readPlainError(JSON.parse(suspended.text)).error.code]).toEqual([
          PLAIN_ERROR_STATUS.VENDOR_SUSPENDED,
          'VENDOR_SUSPENDED',
        ]);
      } finally {
        f.mock.state.registry.approveVendor(f.mock.vendor.id);
      }
      // BAD_REQUEST below the protocol: unknown path, not a POST, too large.
      expect((await transport.post('/passgate/v1/nope' as never, {}, '{}', 3000)).status).toBe(404);
      expect((await transport.post(PATHS.authorize, {}, 'x'.repeat(70_000), 3000)).status).toBe(413);
      const dispatcher = new Agent({ connect: { ca: f.mock.caPem ?? undefined } });
      try {
        const get = await request(f.mock.url + PATHS.authorize, { method: 'GET', dispatcher });
        const text = await get.body.text();
        expect([get.statusCode, readPlainError(JSON.parse(text)).error.code]).toEqual([405, 'BAD_REQUEST']);
      } finally {
        await dispatcher.close();
      }
    } finally {
      await held.close();
    }
  });

  it('sealed-only errors have no plaintext status', () => {
    for (const code of ['VENUE_UNKNOWN', 'ALREADY_BOUND', 'NOT_BOUND'] as const)
      expect(PLAIN_ERROR_STATUS[code]).toBeNull();
  });
});
