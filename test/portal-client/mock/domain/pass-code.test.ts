import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPassgateError } from '../../../../firmware/core/errors.js';
import {
  decodePassCodeBlob,
  derivePassCodeKeys,
  issuePassCode,
  MAX_PASS_CODE_CHARS,
  openPassCode,
  PASS_CODE_PREFIX,
} from '../../../../portal-client/mock/domain/pass-code.js';
import { ResidentDirectory } from '../../../../portal-client/mock/domain/residents.js';
import { crypto, HOUR, healthy, MASTER_KEY, residentFactory, T0 } from './fixtures.js';

const TTL = 5 * 60_000;

function setup() {
  const make = residentFactory('pass-code');
  const alice = make(healthy(T0));
  const residents = new ResidentDirectory([alice]);
  let t = T0;
  const clock = { now: () => t, set: (value: number) => (t = value) };
  const issue = () => issuePassCode(alice, { masterKey: MASTER_KEY, now: clock.now, ttlMs: TTL, crypto });
  const open = (text: unknown) => openPassCode(text, { masterKey: MASTER_KEY, now: clock.now, crypto, residents });
  return { alice, residents, clock, issue, open, make };
}

describe('pass code format', () => {
  it('is PGC1. + canonical base64url of iv || SM4-CBC ciphertext || 16-byte tag, as documented', () => {
    const { alice, issue } = setup();
    const issued = issue();
    expect(issued.text.startsWith(PASS_CODE_PREFIX)).toBe(true);
    expect(issued.text.slice(5)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(issued).toMatchObject({ issuedAt: T0 / 1000, expiresAt: (T0 + TTL) / 1000 });

    // Recompute every step from the documented format, independently of openPassCode.
    const blob = Buffer.from(issued.text.slice(5), 'base64url');
    const iv = blob.subarray(0, 16);
    const ciphertext = blob.subarray(16, blob.length - 16);
    const tag = blob.subarray(blob.length - 16);
    const kEnc = crypto.hmacSm3(MASTER_KEY, Buffer.from('passgate pass-code enc')).subarray(0, 16);
    const kMac = crypto.hmacSm3(MASTER_KEY, Buffer.from('passgate pass-code mac'));
    expect(derivePassCodeKeys(MASTER_KEY, crypto)).toEqual({ kEnc, kMac });
    const expectedTag = crypto.hmacSm3(kMac, Buffer.concat([Buffer.from('PGC1'), iv, ciphertext])).subarray(0, 16);
    expect(tag.equals(expectedTag)).toBe(true);
    const payload = JSON.parse(crypto.sm4CbcDecrypt(kEnc, iv, ciphertext).toString('utf8'));
    expect(payload).toEqual({ r: alice.ref, i: T0 / 1000, e: (T0 + TTL) / 1000 });
    expect(Object.keys(payload)).toEqual(['r', 'i', 'e']);
  });

  it('contains neither the name nor the ID number, and two codes of one person differ', () => {
    const { alice, issue } = setup();
    const a = issue().text;
    const b = issue().text;
    expect(a).not.toBe(b); // fresh IV each time
    const kEnc = derivePassCodeKeys(MASTER_KEY, crypto).kEnc;
    for (const text of [a, b]) {
      expect(text).not.toContain(alice.idNumber);
      const blob = decodePassCodeBlob(text)!;
      const plain = crypto
        .sm4CbcDecrypt(kEnc, blob.subarray(0, 16), blob.subarray(16, blob.length - 16))
        .toString('utf8');
      expect(plain).not.toContain(alice.idNumber);
      expect(plain).not.toContain(alice.name);
    }
  });

  it('refuses to issue with a short master key, a non-positive ttl or a bad ref', () => {
    const { alice } = setup();
    const base = { masterKey: MASTER_KEY, now: () => T0, ttlMs: TTL, crypto };
    const attempts = [
      () => issuePassCode(alice, { ...base, masterKey: Buffer.alloc(8) }),
      () => issuePassCode(alice, { ...base, ttlMs: 0 }),
      () => issuePassCode(alice, { ...base, ttlMs: Number.NaN }),
      () => issuePassCode({ ref: 'not-hex' }, base),
    ];
    for (const attempt of attempts) {
      try {
        attempt();
        expect.unreachable();
      } catch (error) {
        expect(isPassgateError(error, 'config.invalid-value')).toBe(true);
      }
    }
  });
});

describe('openPassCode', () => {
  it('round-trips to the resident', () => {
    const { alice, issue, open } = setup();
    const result = open(issue().text);
    expect(result).toMatchObject({ ok: true, ref: alice.ref, resident: { ref: alice.ref, name: alice.name } });
  });

  it('expires exactly at e (whole seconds)', () => {
    const { issue, open, clock } = setup();
    const code = issue().text;
    clock.set(T0 + TTL - 1);
    expect(open(code).ok).toBe(true);
    clock.set(T0 + TTL);
    expect(open(code)).toEqual({ ok: false, reason: 'expired' });
    clock.set(T0 + 30 * HOUR);
    expect(open(code)).toEqual({ ok: false, reason: 'expired' });
  });

  it('rounds the expiry down: a code issued at .999 s with ttl 1 s lasts to the next whole second', () => {
    const { alice, residents } = setup();
    const issuedAtMs = T0 + 999;
    const code = issuePassCode(alice, { masterKey: MASTER_KEY, now: () => issuedAtMs, ttlMs: 1000, crypto });
    expect(code.expiresAt).toBe(T0 / 1000 + 1);
    const open = (at: number) => openPassCode(code.text, { masterKey: MASTER_KEY, now: () => at, crypto, residents });
    expect(open(T0 + 999).ok).toBe(true);
    expect(open(T0 + 1000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('reports a genuine code of a resident the directory no longer has as unknown-resident', () => {
    const { make, clock } = setup();
    const ghost = make(healthy(T0));
    const code = issuePassCode(ghost, { masterKey: MASTER_KEY, now: clock.now, ttlMs: TTL, crypto });
    const result = openPassCode(code.text, {
      masterKey: MASTER_KEY,
      now: clock.now,
      crypto,
      residents: new ResidentDirectory(),
    });
    expect(result).toEqual({ ok: false, reason: 'unknown-resident' });
  });

  it('a code made with another master key is tampered', () => {
    const { alice, open } = setup();
    const other = issuePassCode(alice, { masterKey: Buffer.alloc(32, 7), now: () => T0, ttlMs: TTL, crypto });
    expect(open(other.text)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('every single-byte change of the decoded blob is tampered, never a PASS', () => {
    const { issue, open } = setup();
    const text = issue().text;
    const blob = decodePassCodeBlob(text)!;
    expect(blob.length).toBe(16 + 80 + 16); // the 70-byte payload pads to 80
    for (let index = 0; index < blob.length; index++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const flipped = Buffer.from(blob);
        flipped[index] ^= mask;
        expect(open(PASS_CODE_PREFIX + flipped.toString('base64url'))).toEqual({ ok: false, reason: 'tampered' });
      }
    }
  });

  it('every single-character change of the text is malformed or tampered', () => {
    const { issue, open } = setup();
    const text = issue().text;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    for (let index = 0; index < text.length; index++) {
      for (const replacement of [alphabet[index % alphabet.length], alphabet[(index * 7 + 3) % alphabet.length]]) {
        if (replacement === text[index]) continue;
        const changed = text.slice(0, index) + replacement + text.slice(index + 1);
        const result = open(changed);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(['malformed', 'tampered']).toContain(result.reason);
      }
    }
  });

  it('rejects non-canonical base64url (the last character with stray low bits)', () => {
    const { issue, open } = setup();
    const text = issue().text;
    // 112 bytes → 150 characters; the last one carries 2 bits of the last byte and 4 unused bits.
    expect(text.length).toBe(5 + 150);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(text[text.length - 1]);
    expect(last & 0x0f).toBe(0);
    const stray = text.slice(0, -1) + alphabet[last | 0x01];
    expect(Buffer.from(stray.slice(5), 'base64url').equals(Buffer.from(text.slice(5), 'base64url'))).toBe(true);
    expect(open(stray)).toEqual({ ok: false, reason: 'malformed' });
    expect(open(text + 'A')).toEqual({ ok: false, reason: 'malformed' });
    expect(open(text + '==')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('malformed: wrong prefix, wrong alphabet, too short, not block aligned, too long, not a string', () => {
    const { issue, open } = setup();
    const text = issue().text;
    const cases: unknown[] = [
      '',
      'PGC1.',
      'PGC2.' + text.slice(5),
      'pgc1.' + text.slice(5),
      text.replace('PGC1.', 'PGC1:'),
      'PGC1.' + Buffer.alloc(47).toString('base64url'),
      'PGC1.' + Buffer.alloc(40).toString('base64url'),
      'PGC1.' + Buffer.alloc(16 + 17 + 16).toString('base64url'),
      'PGC1.' + Buffer.from(text.slice(5), 'base64url').toString('base64'),
      text + 'A'.repeat(MAX_PASS_CODE_CHARS),
      undefined,
      null,
      42,
      { text },
      Buffer.from(text),
    ];
    for (const value of cases) expect(open(value)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('never throws on arbitrary strings, prefixed strings or prefixed random blobs (fast-check)', () => {
    const { open } = setup();
    const check = (value: unknown) => {
      const result = open(value);
      expect(result.ok).toBe(false);
    };
    fc.assert(fc.property(fc.string({ maxLength: 600 }), check), { numRuns: 300 });
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => check(PASS_CODE_PREFIX + s)),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (bytes) => {
        const result = open(PASS_CODE_PREFIX + Buffer.from(bytes).toString('base64url'));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(['malformed', 'tampered']).toContain(result.reason);
      }),
      { numRuns: 300 },
    );
    fc.assert(fc.property(fc.anything(), check), { numRuns: 200 });
  });

  it('a crypto suite that throws is contained as malformed, not thrown', () => {
    const { issue, residents } = setup();
    const text = issue().text;
    const broken = {
      ...crypto,
      hmacSm3: () => {
        throw new Error('hardware gone');
      },
    };
    expect(openPassCode(text, { masterKey: MASTER_KEY, now: () => T0, crypto: broken, residents })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});
