// §4: interface 2, authorize. The correct request, then one request for each refusal of §4's
// table, each broken in exactly one way (so the refusal shows the portal's check, and its order).
import { PATHS } from '../../protocol/constants.js';
import { CheckSkipped, type ConformanceCheck, expectThat } from './check.js';
import { type AuthorizeOverrides, type ConformanceContext, TS_WINDOW_MS } from './context.js';

/** Posts an authorize request with `o` applied; the answer must be the plaintext `code`. */
async function refused(
  ctx: ConformanceContext,
  o: AuthorizeOverrides,
  code: Parameters<ConformanceContext['expectPlainError']>[1],
) {
  const built = ctx.buildAuthorize(o);
  ctx.expectPlainError(await ctx.postJson(PATHS.authorize, built.request), code);
}

const UNKNOWN_OID = '1.2.156.10197.1.999';

export const AUTHORIZE_CHECKS: readonly ConformanceCheck[] = [
  {
    id: 'authorize.ok',
    section: '§4',
    title: 'authorize answers sealed under the session secret, bound to its nonce, with a token',
    async run(ctx) {
      const s = await ctx.authorize();
      expectThat(Math.abs(s.result.portalTime - ctx.portalNow()) < TS_WINDOW_MS, 'portalTime is not the portal clock');
      expectThat(s.result.expiresAt > s.result.portalTime, 'the token expires before it was issued');
    },
  },
  {
    id: 'authorize.any-valid-json',
    section: '§3 §4',
    title: 'a request in other valid JSON (white space, field order, escapes) is accepted',
    async run(ctx) {
      const built = ctx.buildAuthorize();
      const reordered = Object.fromEntries(Object.entries(built.request).reverse());
      const text = JSON.stringify(reordered, null, 2).replace('"deviceId"', '"\\u0064eviceId"');
      ctx.openAuthorizeAnswer(built, await ctx.http.send('POST', PATHS.authorize, text));
    },
  },
  {
    id: 'authorize.bad-request',
    section: '§3 §4 §8',
    title: 'a request missing a field → plaintext BAD_REQUEST (400)',
    run: (ctx) => refused(ctx, { drop: ['appMac'] }, 'BAD_REQUEST'),
  },
  {
    id: 'authorize.not-json',
    section: '§3 §8',
    title: 'a body that is not JSON → plaintext BAD_REQUEST (400)',
    async run(ctx) {
      ctx.expectPlainError(await ctx.http.send('POST', PATHS.authorize, '{"v":1,'), 'BAD_REQUEST');
    },
  },
  {
    id: 'authorize.non-der-signature',
    section: '§1 §4',
    title: 'a raw r‖s signature (not DER) → plaintext BAD_REQUEST',
    async run(ctx) {
      const built = ctx.buildAuthorize();
      const der = Buffer.from(built.request.sig as string, 'hex');
      // r and s as 32 bytes each, as a raw signature carries them.
      const rLength = der[3];
      const r = der.subarray(4, 4 + rLength);
      const s = der.subarray(6 + rLength);
      const raw = Buffer.concat([r, s].map((n) => padTo32(n).subarray(-32)));
      await refused(ctx, { sig: raw.toString('hex') }, 'BAD_REQUEST');
    },
  },
  {
    id: 'authorize.unsupported-algorithm',
    section: '§1 §4 §8',
    title: 'an unknown algorithm OID → plaintext UNSUPPORTED_ALGORITHM (400)',
    async run(ctx) {
      const alg = { ...(ctx.buildAuthorize().request.alg as Record<string, string>), mac: UNKNOWN_OID };
      await refused(ctx, { alg }, 'UNSUPPORTED_ALGORITHM');
    },
  },
  {
    id: 'authorize.check-order',
    section: '§4',
    title: 'an unknown OID and a skewed ts → UNSUPPORTED_ALGORITHM (step 2 before step 3)',
    async run(ctx) {
      const alg = { ...(ctx.buildAuthorize().request.alg as Record<string, string>), hash: UNKNOWN_OID };
      await refused(ctx, { alg, ts: ctx.portalNow() - 10 * TS_WINDOW_MS }, 'UNSUPPORTED_ALGORITHM');
    },
  },
  {
    id: 'authorize.clock-skew',
    section: '§4 §8',
    title: 'ts 10 minutes off the portal clock → plaintext CLOCK_SKEW (401) with portalTime',
    run: (ctx) => refused(ctx, { ts: ctx.portalNow() - 5 * TS_WINDOW_MS }, 'CLOCK_SKEW'),
  },
  {
    id: 'authorize.device-unknown',
    section: '§4 §8',
    title: 'an unregistered device ID → plaintext DEVICE_UNKNOWN (403)',
    async run(ctx) {
      const device = { ...ctx.device, deviceId: `PGCONF-UNKNOWN-${ctx.nonce().slice(0, 12)}` };
      await refused(ctx, { device }, 'DEVICE_UNKNOWN');
    },
  },
  {
    id: 'authorize.vendor-suspended',
    section: '§2 §4 §8',
    title: 'a device of a suspended vendor → plaintext VENDOR_SUSPENDED (403)',
    async run(ctx) {
      const spare = ctx.requireAdmin().spareVendor;
      if (!spare) throw new CheckSkipped('needs a second vendor in the mock dataset');
      const device = await ctx.freshDevice(spare);
      await ctx.requireAdmin().setVendorApproved(spare.id, false);
      try {
        await refused(ctx, { device }, 'VENDOR_SUSPENDED');
      } finally {
        if (spare.approved) await ctx.requireAdmin().setVendorApproved(spare.id, true);
      }
    },
  },
  {
    id: 'authorize.app-secret',
    section: '§2 §4 §8',
    title: 'an appMac made with another app secret → plaintext APP_CREDENTIALS_INVALID (403)',
    run: (ctx) =>
      refused(ctx, { device: { ...ctx.device, appSecret: `${ctx.device.appSecret}-not` } }, 'APP_CREDENTIALS_INVALID'),
  },
  {
    id: 'authorize.app-id',
    section: '§2 §4 §8',
    title: "another app ID than the vendor's → plaintext APP_CREDENTIALS_INVALID (403)",
    run: (ctx) => refused(ctx, { device: { ...ctx.device, appId: 'pgconf-not-this-app' } }, 'APP_CREDENTIALS_INVALID'),
  },
  {
    id: 'authorize.bad-signature',
    section: '§4 §8',
    title: 'a signature by another key → plaintext BAD_SIGNATURE (403)',
    async run(ctx) {
      await refused(ctx, { signingKey: ctx.crypto.sm2GenerateKeyPair().privateKey }, 'BAD_SIGNATURE');
    },
  },
  {
    id: 'authorize.replay',
    section: '§4 §8',
    title: 'the same request twice → the second gets plaintext REPLAY (401)',
    async run(ctx) {
      const built = ctx.buildAuthorize();
      ctx.openAuthorizeAnswer(built, await ctx.postJson(PATHS.authorize, built.request));
      ctx.expectPlainError(await ctx.postJson(PATHS.authorize, built.request), 'REPLAY');
    },
  },
  {
    id: 'authorize.session-key-invalid',
    section: '§4 §8',
    title: 'a sessionKey encrypted to another key → plaintext SESSION_KEY_INVALID (400)',
    async run(ctx) {
      const other = ctx.crypto.sm2GenerateKeyPair().publicKey;
      const sessionKey = ctx.crypto.sm2Encrypt(other, ctx.crypto.randomBytes(32)).toString('hex');
      await refused(ctx, { sessionKey }, 'SESSION_KEY_INVALID');
    },
  },
];

function padTo32(b: Buffer): Buffer {
  return b.length >= 32 ? b : Buffer.concat([Buffer.alloc(32 - b.length), b]);
}
