// §5: the sealed envelope, checked on interface 3 (a pass-code verification, whose answer is
// sealed whether the device is bound or not). What comes before the MAC is refused in plaintext;
// a request whose MAC verifies is answered sealed, whatever else is wrong with it.
import { MAC_DOMAIN, PATHS, TOKEN_SCHEME } from '../../protocol/constants.js';
import { macText } from '../../protocol/envelope.js';
import { type ConformanceCheck, expectThat } from './check.js';
import { type ConformanceContext, type KitSession, TS_WINDOW_MS } from './context.js';

const path = PATHS.verifyPassCode;
/** A pass code no portal issued: the answer is a verdict (or NOT_BOUND), sealed either way. */
export const UNISSUED_PASS_CODE = 'PGC1.conformance-kit-not-a-pass-code';
const passCodeBody = () => Buffer.from(JSON.stringify({ code: UNISSUED_PASS_CODE }), 'utf8');

/**
 * A request envelope whose MAC is computed over the fields exactly as given, so it verifies
 * whatever their shape; `body` (plaintext bytes) is encrypted unless `ct` is given.
 */
export function macedEnvelope(
  ctx: ConformanceContext,
  s: KitSession,
  fields: Record<string, unknown> & { body?: Buffer },
): Record<string, unknown> & { nonce: string } {
  const iv = ctx.crypto.randomBytes(16);
  const { body, ...rest } = fields;
  const envelope: Record<string, unknown> = {
    v: 1,
    ts: ctx.portalNow(),
    nonce: ctx.nonce(),
    iv: iv.toString('hex'),
    ct: ctx.crypto.sm4CbcEncrypt(s.keys.requestEncryption, iv, body ?? passCodeBody()).toString('base64'),
    ...rest,
  };
  const covered = envelope as { ts: number | string; nonce: string; iv: string; ct: string };
  const text = macText(MAC_DOMAIN.request, path, s.token, covered);
  const mac = ctx.crypto.hmacSm3(s.keys.requestMac, Buffer.from(text, 'utf8')).toString('hex');
  return { ...envelope, nonce: covered.nonce, mac };
}

/** Posts a MAC-valid request as built; the answer must be a sealed BAD_REQUEST. */
async function sealedBadRequest(ctx: ConformanceContext, what: string, fields: Parameters<typeof macedEnvelope>[2]) {
  const s = await ctx.session();
  const envelope = macedEnvelope(ctx, s, fields);
  const answer = await ctx.postSealed(s, path, envelope);
  try {
    ctx.expectSealedError(ctx.openSealed(path, s.keys, envelope.nonce, answer), 'BAD_REQUEST');
  } catch (error) {
    (error as Error).message = `${what}: ${(error as Error).message}`;
    throw error;
  }
}

/** The check that a sealed request changed after its MAC was made gets a plaintext BAD_MAC. */
function badMac(id: string, title: string, change: (e: Record<string, unknown>) => void): ConformanceCheck {
  return {
    id,
    section: '§5 §8',
    title,
    async run(ctx) {
      const s = await ctx.session();
      const { envelope } = ctx.seal(s, path, { code: UNISSUED_PASS_CODE });
      const changed = { ...envelope } as Record<string, unknown>;
      change(changed);
      ctx.expectPlainError(await ctx.postSealed(s, path, changed), 'BAD_MAC');
    },
  };
}

/**
 * `text` with the character at `at` replaced by another of a different value: '0' or '1' (each
 * a hex digit and a base64 character; a letter could be the same hex digit in the other case).
 */
function changedAt(text: string, at: number): string {
  return text.slice(0, at) + (text[at] === '0' ? '1' : '0') + text.slice(at + 1);
}

export const SEALED_CHECKS: readonly ConformanceCheck[] = [
  {
    id: 'sealed.ok',
    section: '§5 §7',
    title: 'a sealed request is answered sealed: MAC verifies, bound to its nonce, ts in the window',
    async run(ctx) {
      await ctx.call(await ctx.session(), path, { code: UNISSUED_PASS_CODE });
    },
  },
  {
    id: 'sealed.any-valid-json',
    section: '§3 §5',
    title: 'an envelope and a body in other valid JSON (white space, escapes) are accepted',
    async run(ctx) {
      const s = await ctx.session();
      const body = Buffer.from(`{ "c\\u006fde" : ${JSON.stringify(UNISSUED_PASS_CODE)} }`, 'utf8');
      const envelope = macedEnvelope(ctx, s, { body });
      const text = JSON.stringify(envelope, null, 2);
      const answer = await ctx.http.send('POST', path, text, { authorization: `${TOKEN_SCHEME} ${s.token}` });
      const opened = ctx.openSealed(path, s.keys, envelope.nonce, answer);
      expectThat(opened.ok || opened.error.code !== 'BAD_REQUEST', 'valid JSON was refused with BAD_REQUEST');
    },
  },
  {
    id: 'sealed.token-invalid',
    section: '§5 §8',
    title: 'an unknown token → plaintext TOKEN_INVALID (401)',
    async run(ctx) {
      const s = await ctx.session();
      const stranger = { ...s, token: `pgconf${ctx.nonce()}` };
      const { envelope } = ctx.seal(stranger, path, { code: UNISSUED_PASS_CODE });
      ctx.expectPlainError(await ctx.postSealed(stranger, path, envelope), 'TOKEN_INVALID');
      const { envelope: second } = ctx.seal(s, path, { code: UNISSUED_PASS_CODE });
      ctx.expectPlainError(await ctx.postJson(path, second), 'TOKEN_INVALID'); // no Authorization at all
    },
  },
  {
    id: 'sealed.not-json',
    section: '§5 §8',
    title: 'a sealed call whose body is not JSON → plaintext BAD_REQUEST (400)',
    async run(ctx) {
      const s = await ctx.session();
      const answer = await ctx.http.send('POST', path, '{"v":1,"ts":', { authorization: `${TOKEN_SCHEME} ${s.token}` });
      ctx.expectPlainError(answer, 'BAD_REQUEST');
    },
  },
  badMac('sealed.tampered-mac', 'a MAC changed in one digit → plaintext BAD_MAC (401)', (e) => {
    e.mac = changedAt(e.mac as string, 10);
  }),
  badMac('sealed.tampered-ciphertext', 'a ciphertext changed after the MAC → plaintext BAD_MAC (401)', (e) => {
    e.ct = changedAt(e.ct as string, 5);
  }),
  badMac('sealed.tampered-ts', 'a ts changed after the MAC → plaintext BAD_MAC (401)', (e) => {
    e.ts = (e.ts as number) + 1;
  }),
  {
    id: 'sealed.moved-path',
    section: '§5 §8',
    title: 'a request sealed for one path, sent to another → plaintext BAD_MAC (401)',
    async run(ctx) {
      const s = await ctx.session();
      const { envelope } = ctx.seal(s, path, { code: UNISSUED_PASS_CODE });
      ctx.expectPlainError(await ctx.postSealed(s, PATHS.verifyIdCard, envelope), 'BAD_MAC');
    },
  },
  {
    id: 'sealed.malformed-envelope',
    section: '§5',
    title:
      'MAC-valid but malformed envelopes (v 2, ts a string, an extra field, upper-case nonce) → sealed BAD_REQUEST',
    async run(ctx) {
      await sealedBadRequest(ctx, 'v: 2', { v: 2 });
      await sealedBadRequest(ctx, 'ts as a string', { ts: String(ctx.portalNow()) });
      await sealedBadRequest(ctx, 'an extra field', { extra: 1 });
      await sealedBadRequest(ctx, 'an upper-case nonce', { nonce: ctx.nonce().toUpperCase() });
    },
  },
  {
    id: 'sealed.unpadded-base64',
    section: '§5',
    title: 'a MAC-valid ct without its base64 padding → sealed BAD_REQUEST',
    async run(ctx) {
      const s = await ctx.session();
      const iv = ctx.crypto.randomBytes(16);
      // 16 bytes of ciphertext: base64 with '==' padding.
      const ct = ctx.crypto.sm4CbcEncrypt(s.keys.requestEncryption, iv, Buffer.from('{"code":"x"}')).toString('base64');
      await sealedBadRequest(ctx, 'unpadded base64', { iv: iv.toString('hex'), ct: ct.replace(/=+$/, '') });
    },
  },
  {
    id: 'sealed.undecryptable-body',
    section: '§5',
    title: 'a MAC-valid ct with a wrong PKCS#7 padding → sealed BAD_REQUEST',
    async run(ctx) {
      const s = await ctx.session();
      const iv = ctx.crypto.randomBytes(16);
      const plain = Buffer.alloc(16, 0); // a last block ending in 0x00: no valid padding
      const raw = ctx.crypto.sm4CbcEncrypt(s.keys.requestEncryption, iv, plain).subarray(0, 16);
      await sealedBadRequest(ctx, 'bad padding', { iv: iv.toString('hex'), ct: raw.toString('base64') });
    },
  },
  {
    id: 'sealed.body-not-json',
    section: '§5',
    title: 'a MAC-valid body that decrypts to non-JSON → sealed BAD_REQUEST',
    run: (ctx) => sealedBadRequest(ctx, 'non-JSON body', { body: Buffer.from('not json', 'utf8') }),
  },
  {
    id: 'sealed.clock-skew',
    section: '§5 §8',
    title: 'ts 10 minutes off → sealed CLOCK_SKEW with portalTime',
    async run(ctx) {
      const s = await ctx.session();
      const { nonce, envelope } = ctx.seal(
        s,
        path,
        { code: UNISSUED_PASS_CODE },
        { ts: ctx.portalNow() - 5 * TS_WINDOW_MS },
      );
      ctx.expectSealedError(ctx.openSealed(path, s.keys, nonce, await ctx.postSealed(s, path, envelope)), 'CLOCK_SKEW');
    },
  },
  {
    id: 'sealed.replay',
    section: '§5 §8',
    title: 'the same sealed request twice → the second gets sealed REPLAY',
    async run(ctx) {
      const s = await ctx.session();
      const { nonce, envelope } = ctx.seal(s, path, { code: UNISSUED_PASS_CODE });
      const first = ctx.openSealed(path, s.keys, nonce, await ctx.postSealed(s, path, envelope));
      expectThat(first.ok || first.error.code !== 'REPLAY', 'the first request was refused as a replay');
      ctx.expectSealedError(ctx.openSealed(path, s.keys, nonce, await ctx.postSealed(s, path, envelope)), 'REPLAY');
    },
  },
  {
    id: 'sealed.replay-authorize-nonce',
    section: '§4 §5',
    title: "a sealed request carrying its authorize's nonce → sealed REPLAY (one nonce set)",
    async run(ctx) {
      const built = ctx.buildAuthorize();
      const result = ctx.openAuthorizeAnswer(built, await ctx.postJson(PATHS.authorize, built.request));
      const s: KitSession = { device: ctx.device, token: result.token, keys: built.keys, result };
      const { envelope } = ctx.seal(s, path, { code: UNISSUED_PASS_CODE }, { nonce: built.nonce });
      ctx.expectSealedError(
        ctx.openSealed(path, s.keys, built.nonce, await ctx.postSealed(s, path, envelope)),
        'REPLAY',
      );
    },
  },
];
