// §6 and §7: bind, rebind and the two verifications, each in the binding state its rule needs,
// with their refusals. Results are read with portal-client's own readers (the device's rules).
import { PATHS } from '../../protocol/constants.js';
import { readBindResult, readVerdict } from '../../protocol/messages.js';
import { type ConformanceCheck, expectThat, fail } from './check.js';
import type { ConformanceContext, KitSession } from './context.js';
import { DOCUMENT_VECTORS } from './document-vectors.js';
import { UNISSUED_PASS_CODE } from './sealed-checks.js';

/** §7's synthetic ID card (the §10 vector's): a valid number of its card type. */
const SYNTHETIC_CARD = DOCUMENT_VECTORS.inputs.idCardRequest.body as { idNumber: string };
/** The same number with another check character: no number of any resident card. */
const WRONG_CHECK_CHARACTER = { ...SYNTHETIC_CARD, idNumber: `${SYNTHETIC_CARD.idNumber.slice(0, 17)}1` };
const NO_SUCH_VENUE = 'PGCONF-NO-SUCH-VENUE';
/** SEQUENCE { 1, 1 } and one byte after it: not DER (§1). */
const NON_DER_SIGNATURE = '300602010102010100';

async function unboundSession(ctx: ConformanceContext): Promise<KitSession> {
  return ctx.authorize(await ctx.unboundDevice());
}

function verdictOf(ctx: ConformanceContext, body: Parameters<ConformanceContext['expectResult']>[0], what: string) {
  const result = ctx.expectResult(body, what);
  try {
    return readVerdict(result);
  } catch (error) {
    fail(`${what}: the verdict breaks §7 (${(error as Error).message})`);
  }
}

export const INTERFACE_CHECKS: readonly ConformanceCheck[] = [
  {
    id: 'verify.not-bound',
    section: '§6 §7',
    title: 'both verifications on an unbound device → sealed NOT_BOUND',
    async run(ctx) {
      const s = await unboundSession(ctx);
      ctx.expectSealedError(await ctx.call(s, PATHS.verifyPassCode, { code: UNISSUED_PASS_CODE }), 'NOT_BOUND');
      ctx.expectSealedError(await ctx.call(s, PATHS.verifyIdCard, SYNTHETIC_CARD), 'NOT_BOUND');
    },
  },
  {
    id: 'rebind.not-bound',
    section: '§6',
    title: 'rebind of an unbound device → sealed NOT_BOUND',
    async run(ctx) {
      ctx.expectSealedError(await ctx.bindCall(await unboundSession(ctx), 'rebind', ctx.venue()), 'NOT_BOUND');
    },
  },
  {
    id: 'bind.venue-unknown',
    section: '§6',
    title: 'bind to a venue code the portal does not know → sealed VENUE_UNKNOWN',
    async run(ctx) {
      ctx.expectSealedError(await ctx.bindCall(await unboundSession(ctx), 'bind', NO_SUCH_VENUE), 'VENUE_UNKNOWN');
    },
  },
  {
    id: 'bind.bad-signature',
    section: '§6',
    title: 'a bind signed by another key → sealed BAD_SIGNATURE',
    async run(ctx) {
      const signingKey = ctx.crypto.sm2GenerateKeyPair().privateKey;
      const body = await ctx.bindCall(await unboundSession(ctx), 'bind', ctx.venue(), { signingKey });
      ctx.expectSealedError(body, 'BAD_SIGNATURE');
    },
  },
  {
    id: 'bind.signature-of-other-venue',
    section: '§6',
    title: "a bind whose signature covers another venue's code → sealed BAD_SIGNATURE",
    async run(ctx) {
      const body = await ctx.bindCall(await unboundSession(ctx), 'bind', ctx.venue(), {
        signedVenueCode: NO_SUCH_VENUE,
      });
      ctx.expectSealedError(body, 'BAD_SIGNATURE');
    },
  },
  {
    id: 'bind.non-der-signature',
    section: '§1 §6',
    title: 'a bind signature that is not DER (trailing byte) → sealed BAD_REQUEST',
    async run(ctx) {
      const s = await unboundSession(ctx);
      ctx.expectSealedError(await ctx.bindCall(s, 'bind', NO_SUCH_VENUE, { sig: NON_DER_SIGNATURE }), 'BAD_REQUEST');
    },
  },
  {
    id: 'bind.ok',
    section: '§4 §6',
    title: 'bind of an unbound device answers the venue; the next authorize reports the binding',
    async run(ctx) {
      const s = await unboundSession(ctx);
      const venueCode = ctx.venue();
      const body = await ctx.bindCall(s, 'bind', venueCode);
      const result = ctx.expectResult(body, 'bind');
      ctx.noteBound(s.device);
      let venue: ReturnType<typeof readBindResult>['venue'];
      try {
        venue = readBindResult(result).venue;
      } catch (error) {
        fail(`the bind result breaks §6 (${(error as Error).message})`);
      }
      expectThat(venue.code === venueCode, 'bind answered another venue than the one bound');
      const again = await ctx.authorize(s.device);
      expectThat(again.result.binding?.code === venueCode, "authorize's binding is not the bound venue");
    },
  },
  {
    id: 'bind.already-bound',
    section: '§6',
    title: 'bind on a bound device → sealed ALREADY_BOUND',
    async run(ctx) {
      ctx.expectSealedError(await ctx.bindCall(await ctx.boundSession(), 'bind', ctx.venue()), 'ALREADY_BOUND');
    },
  },
  {
    id: 'rebind.ok',
    section: '§6',
    title: 'rebind of a bound device answers the venue',
    async run(ctx) {
      const result = ctx.expectResult(await ctx.bindCall(await ctx.boundSession(), 'rebind', ctx.venue()), 'rebind');
      let code: string;
      try {
        code = readBindResult(result).venue.code;
      } catch (error) {
        fail(`the rebind result breaks §6 (${(error as Error).message})`);
      }
      expectThat(code === ctx.venue(), 'rebind answered another venue');
    },
  },
  {
    id: 'verify.pass-code',
    section: '§7',
    title: 'a pass-code verification on a bound device answers a verdict of §7',
    async run(ctx) {
      const s = await ctx.boundSession();
      verdictOf(ctx, await ctx.call(s, PATHS.verifyPassCode, { code: UNISSUED_PASS_CODE }), 'pass-code verification');
    },
  },
  {
    id: 'verify.id-card',
    section: '§7',
    title: 'an ID-card verification on a bound device answers a verdict of §7',
    async run(ctx) {
      verdictOf(
        ctx,
        await ctx.call(await ctx.boundSession(), PATHS.verifyIdCard, SYNTHETIC_CARD),
        'ID-card verification',
      );
    },
  },
  {
    id: 'verify.id-card-check-character',
    section: '§7',
    title: 'an ID number with a wrong check character → sealed BAD_REQUEST',
    async run(ctx) {
      const body = await ctx.call(await ctx.boundSession(), PATHS.verifyIdCard, WRONG_CHECK_CHARACTER);
      ctx.expectSealedError(body, 'BAD_REQUEST');
    },
  },
  {
    id: 'verify.body-shape',
    section: '§3 §7',
    title: 'a body with an unknown field, or an empty pass code → sealed BAD_REQUEST',
    async run(ctx) {
      const s = await ctx.boundSession();
      ctx.expectSealedError(
        await ctx.call(s, PATHS.verifyPassCode, { code: UNISSUED_PASS_CODE, extra: 1 }),
        'BAD_REQUEST',
      );
      ctx.expectSealedError(await ctx.call(s, PATHS.verifyPassCode, { code: '' }), 'BAD_REQUEST');
    },
  },
];
