// §2 and §5's session rules, which need the bundled mock's admin API to set up: an expired
// session, a device registered again with another key, a vendor suspended during a session.
import { PATHS } from '../../protocol/constants.js';
import { CheckSkipped, type ConformanceCheck, expectThat } from './check.js';
import type { ConformanceContext, KitSession } from './context.js';
import { UNISSUED_PASS_CODE } from './sealed-checks.js';

const path = PATHS.verifyPassCode;

async function expectTokenInvalid(ctx: ConformanceContext, s: KitSession): Promise<void> {
  const { envelope } = ctx.seal(s, path, { code: UNISSUED_PASS_CODE });
  ctx.expectPlainError(await ctx.postSealed(s, path, envelope), 'TOKEN_INVALID');
}

export const SESSION_CHECKS: readonly ConformanceCheck[] = [
  {
    id: 'session.key-replaced',
    section: '§2 §5',
    title: 'a device registered again with another key: its old session gets TOKEN_INVALID, its old key BAD_SIGNATURE',
    async run(ctx) {
      const admin = ctx.requireAdmin();
      const device = await ctx.freshDevice();
      const old = await ctx.authorize(device);
      await ctx.call(old, path, { code: UNISSUED_PASS_CODE });
      const next = ctx.crypto.sm2GenerateKeyPair();
      await admin.registerDevice(device.deviceId, next.publicKey);
      await expectTokenInvalid(ctx, old);
      const built = ctx.buildAuthorize({ device });
      ctx.expectPlainError(await ctx.postJson(PATHS.authorize, built.request), 'BAD_SIGNATURE');
      await ctx.authorize({ ...device, privateKey: next.privateKey });
    },
  },
  {
    id: 'session.vendor-suspended',
    section: '§2 §5',
    title: 'a session of a vendor suspended since → sealed VENDOR_SUSPENDED; approved again, it verifies',
    async run(ctx) {
      const admin = ctx.requireAdmin();
      const spare = admin.spareVendor;
      if (!spare) throw new CheckSkipped('needs a second vendor in the mock dataset');
      await admin.setVendorApproved(spare.id, true);
      try {
        const s = await ctx.authorize(await ctx.freshDevice(spare));
        await admin.setVendorApproved(spare.id, false);
        ctx.expectSealedError(await ctx.call(s, path, { code: UNISSUED_PASS_CODE }), 'VENDOR_SUSPENDED');
        await admin.setVendorApproved(spare.id, true);
        const again = await ctx.call(s, path, { code: UNISSUED_PASS_CODE });
        expectThat(again.ok || again.error.code === 'NOT_BOUND', 'approved again, the session is still refused');
      } finally {
        await admin.setVendorApproved(spare.id, spare.approved);
      }
    },
  },
  {
    id: 'session.expired',
    section: '§4 §5 §8',
    title: 'a sealed call on an expired session → plaintext TOKEN_INVALID (401)',
    async run(ctx) {
      const admin = ctx.requireAdmin();
      const s = await ctx.authorize();
      await admin.expireTokens();
      ctx.forgetSession();
      await expectTokenInvalid(ctx, s);
    },
  },
];
