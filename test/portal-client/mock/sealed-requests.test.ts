// How the mock portal answers sealed requests (PROTOCOL.md §5, the order of checks): a request
// whose MAC verifies is answered sealed, whatever else is wrong with it; only a MAC that does not
// verify gets the plaintext BAD_MAC. Every error carries the portal's clock. The receiver takes
// any valid JSON, however it is spelt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { PATHS } from '../../../portal-client/protocol/constants.js';
import { readPlainError } from '../../../portal-client/protocol/messages.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { type HeldSession, holdSession, macedRequest } from './session-tools.js';

const path = PATHS.verifyPassCode;
let f: PortalFixture;
let held: HeldSession;
let green: string;

beforeAll(async () => {
  f = await startPortalFixture({ deviceId: 'WX-SEALED-0001' });
  await f.client().bind(demoVenues()[0].venueCode);
  green = f.mock.passCodeFor('green');
  held = await holdSession(f, green);
});
afterAll(async () => {
  await held.close();
  await f.close();
});

/** Posts a MAC-valid request and opens its answer, which must be sealed. */
async function sealedAnswer(fields: Parameters<typeof macedRequest>[2]) {
  const envelope = macedRequest(held, path, fields);
  return held.open(path, envelope.nonce, await held.post(path, envelope));
}

const passCodeBody = () => Buffer.from(JSON.stringify({ code: green }), 'utf8');

describe('a sealed request whose MAC verifies', () => {
  it('is answered as it should be when everything else is right too (the tool builds valid requests)', async () => {
    const answer = await sealedAnswer({ body: passCodeBody() });
    expect(answer).toMatchObject({ ok: true, result: { opinion: 'PASS' } });
  });

  it.each([
    ['a body that decrypts to non-JSON', { body: Buffer.from('not json', 'utf8') }],
    ['a body that does not decrypt (bad padding)', { ct: Buffer.alloc(16, 7).toString('base64') }],
    ['v: 2', { v: 2, body: passCodeBody() }],
    ['no v', { v: undefined, body: passCodeBody() }],
    ['ts as a string', { ts: String(Date.now()), body: passCodeBody() }],
    ['a fractional ts', { ts: Date.now() + 0.5, body: passCodeBody() }],
    ['an extra envelope field', { extra: 1, body: passCodeBody() }],
    ['an upper-case nonce', { nonce: crypto.randomBytes(16).toString('hex').toUpperCase(), body: passCodeBody() }],
    ['a short nonce', { nonce: 'abcd', body: passCodeBody() }],
    ['an upper-case iv', { iv: 'AB'.repeat(16), body: passCodeBody() }],
  ])('%s → a sealed BAD_REQUEST with portalTime', async (_, fields) => {
    const before = Date.now();
    const answer = await sealedAnswer(fields);
    expect(answer).toEqual({ ok: false, error: { code: 'BAD_REQUEST', portalTime: expect.any(Number) } });
    if (!answer.ok) expect(Math.abs(answer.error.portalTime! - before)).toBeLessThan(10_000);
  });

  it('unpadded base64 → a sealed BAD_REQUEST (senders pad; receivers take padded base64 only)', async () => {
    const body = Buffer.from(JSON.stringify({ code: 'x' }), 'utf8'); // 16 bytes of ciphertext: '==' padding
    const iv = crypto.randomBytes(16);
    const ct = crypto.sm4CbcEncrypt(held.keys.requestEncryption, iv, body).toString('base64');
    expect(ct.endsWith('==')).toBe(true);
    const answer = await sealedAnswer({ iv: iv.toString('hex'), ct: ct.replace(/=+$/, '') });
    expect(answer).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    // The same ciphertext padded is a verification.
    const padded = await sealedAnswer({ iv: iv.toString('hex'), ct });
    expect(padded).toMatchObject({ ok: true, result: { opinion: 'SHOW_CODE' } });
  });

  it('a body of the wrong shape for its interface → sealed BAD_REQUEST, with portalTime like every error', async () => {
    for (const body of [{ code: green, extra: true }, { venueCode: 'x' }, {}]) {
      expect(await held.call(path, body)).toEqual({
        ok: false,
        error: { code: 'BAD_REQUEST', portalTime: expect.any(Number) },
      });
    }
    // A domain refusal carries portalTime too (consistent with CLOCK_SKEW, REPLAY and the rest).
    expect(await held.call(PATHS.bind, { venueCode: demoVenues()[1].venueCode, sig: '3006020101020101' })).toEqual({
      ok: false,
      error: { code: 'BAD_SIGNATURE', portalTime: expect.any(Number) },
    });
  });
});

describe('the order of the checks (PROTOCOL.md §5)', () => {
  it('ts before nonce, nonce before body, body before binding; vendor before the interface body', async () => {
    const stale = Date.now() - 10 * 60_000;
    const spent = macedRequest(held, path, { body: passCodeBody() });
    expect(held.open(path, spent.nonce, await held.post(path, spent))).toMatchObject({ ok: true });
    // A spent nonce with a stale ts: CLOCK_SKEW comes first.
    const staleReplay = macedRequest(held, path, { nonce: spent.nonce, ts: stale, body: passCodeBody() });
    expect(held.open(path, spent.nonce, await held.post(path, staleReplay))).toMatchObject({
      ok: false,
      error: { code: 'CLOCK_SKEW' },
    });
    // A spent nonce with a body that is no JSON: REPLAY (the nonce is checked before the body).
    const replayedJunk = macedRequest(held, path, { nonce: spent.nonce, body: Buffer.from('junk') });
    expect(held.open(path, spent.nonce, await held.post(path, replayedJunk))).toMatchObject({
      ok: false,
      error: { code: 'REPLAY' },
    });
    // A suspended vendor's device with a body of the wrong shape: VENDOR_SUSPENDED.
    expect(f.mock.state.registry.suspendVendor(f.mock.vendor.id).ok).toBe(true);
    try {
      expect(await held.call(path, { wrong: true })).toMatchObject({ ok: false, error: { code: 'VENDOR_SUSPENDED' } });
    } finally {
      f.mock.state.registry.approveVendor(f.mock.vendor.id);
    }
  });

  it('card holder names: 1–60 code points, no surrounding white space; a long name is masked to 40', async () => {
    const idNumber = f.mock.state.demo.unknownPerson.idNumber;
    const card = (name: string) => held.call(PATHS.verifyIdCard, { cardType: 'resident', name, idNumber });
    const sixty = `${'ABCDEFGHIJ'.repeat(5)}KLMNOPQR Z`;
    expect([...sixty]).toHaveLength(60);
    expect(await card(sixty)).toMatchObject({
      ok: true,
      result: { opinion: 'CHECK_SKM', maskedName: `${'*'.repeat(39)}Z` },
    });
    for (const name of [`${sixty}Y`, ' 张三', '张三 ', '张\n三', '']) {
      expect(await card(name), JSON.stringify(name)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
  });
});

describe('a sealed request whose MAC does not verify', () => {
  it.each([
    ['a flipped MAC bit', (e: Record<string, unknown>) => ({ ...e, mac: flip(e.mac as string) })],
    ['no mac', (e: Record<string, unknown>) => ({ ...e, mac: undefined })],
    ['a non-hex mac', (e: Record<string, unknown>) => ({ ...e, mac: 'z'.repeat(64) })],
    ['ts changed after sealing', (e: Record<string, unknown>) => ({ ...e, ts: (e.ts as number) + 1 })],
    ['no ts', (e: Record<string, unknown>) => ({ ...e, ts: undefined })],
    ['an array', (e: Record<string, unknown>) => [e]],
  ])('%s → plaintext 401 BAD_MAC', async (_, change) => {
    const envelope = macedRequest(held, path, { body: passCodeBody() });
    const answer = await held.post(path, change(envelope));
    expect(answer.status).toBe(401);
    expect(readPlainError(JSON.parse(answer.text)).error).toEqual({ code: 'BAD_MAC', portalTime: expect.any(Number) });
  });
});

describe('receivers take any valid JSON', () => {
  it('a body with its keys in another order, white space and escaped characters is read as the same body', async () => {
    const escaped = green.replace(/[A-Za-z]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const text = `{\n  "code" :\t"${escaped}"\n}`;
    expect(JSON.parse(text)).toEqual({ code: green });
    expect(await sealedAnswer({ body: Buffer.from(text, 'utf8') })).toMatchObject({
      ok: true,
      result: { opinion: 'PASS' },
    });
  });

  it('an envelope with its keys in another order and white space between them', async () => {
    const e = macedRequest(held, path, { body: passCodeBody() });
    const text = `{ "mac": "${e.mac}",\n "ct": "${e.ct}", "iv": "${e.iv}", "nonce": "${e.nonce}", "ts": ${e.ts}, "v": 1 }`;
    const answer = await held.transport.post(path, { authorization: `PG1 ${held.token}` }, text, 3000);
    expect(held.open(path, e.nonce, answer)).toMatchObject({ ok: true, result: { opinion: 'PASS' } });
  });
});

describe('nonces', () => {
  it('one set for authorize and sealed requests: a sealed request reusing an authorize nonce is a REPLAY', async () => {
    const sent: string[] = [];
    const client = f.client({
      transport: {
        post: (p, headers, body, deadlineMs) => {
          if (p === PATHS.authorize) sent.push((JSON.parse(body) as { nonce: string }).nonce);
          return held.transport.post(p, headers, body, deadlineMs);
        },
        close: async () => undefined,
      },
    });
    await client.authorize();
    const nonce = sent[0];
    const envelope = macedRequest(held, path, { nonce, body: passCodeBody() });
    expect(held.open(path, nonce, await held.post(path, envelope))).toMatchObject({
      ok: false,
      error: { code: 'REPLAY' },
    });
  });
});

function flip(hex: string): string {
  return (hex[0] === '0' ? '1' : '0') + hex.slice(1);
}
