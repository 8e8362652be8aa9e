import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PassgateError } from '../../../firmware/core/errors.js';
import { createGmCryptoSuite } from '../../../portal-client/crypto/gm-suite.js';
import { PATHS } from '../../../portal-client/protocol/constants.js';
import {
  openRequest,
  openResponse,
  type SealedEnvelope,
  sealRequest,
  sealResponse,
} from '../../../portal-client/protocol/envelope.js';
import { deriveSessionKeys } from '../../../portal-client/protocol/session-keys.js';

const crypto = createGmCryptoSuite();
const keys = deriveSessionKeys(crypto, Buffer.alloc(32, 9));
const path = PATHS.verifyPassCode;
const params = { ts: 1_767_225_600_000, nonce: 'ab'.repeat(16), iv: Buffer.alloc(16, 3) };
const body = { code: 'synthetic-code-123' };

function sealed(): SealedEnvelope {
  return sealRequest(crypto, keys, { path, token: 'tok-aaaaaaaaaaaaaaaa' }, body, params);
}

function flipChar(value: string, index: number): string {
  const c = value[index];
  const alphabet = /[0-9a-f]/.test(c)
    ? '0123456789abcdef'
    : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const next = alphabet[(alphabet.indexOf(c) + 1) % alphabet.length];
  return value.slice(0, index) + next + value.slice(index + 1);
}

describe('sealed envelope', () => {
  it('round trips a request and a response', () => {
    const opened = openRequest(crypto, keys, { path, token: 'tok-aaaaaaaaaaaaaaaa' }, sealed());
    expect(opened.body).toEqual(body);
    const res = sealResponse(crypto, keys, { path, requestNonce: params.nonce }, { ok: true }, params);
    expect(openResponse(crypto, keys, { path, requestNonce: params.nonce }, res).body).toEqual({ ok: true });
  });

  it('carries the body only as ciphertext', () => {
    expect(JSON.stringify(sealed())).not.toContain('synthetic-code-123');
  });

  it('rejects every single-character change of every field', () => {
    const original = sealed();
    for (const field of ['nonce', 'iv', 'ct', 'mac'] as const) {
      for (let i = 0; i < original[field].length; i++) {
        if (original[field][i] === '=') continue;
        const tampered = { ...original, [field]: flipChar(original[field], i) };
        expect(
          () => openRequest(crypto, keys, { path, token: 'tok-aaaaaaaaaaaaaaaa' }, tampered),
          `${field}[${i}]`,
        ).toThrow(PassgateError);
      }
    }
    expect(() =>
      openRequest(crypto, keys, { path, token: 'tok-aaaaaaaaaaaaaaaa' }, { ...original, ts: original.ts + 1 }),
    ).toThrow(PassgateError);
  });

  it('rejects every single-bit flip of the decoded ciphertext and MAC bytes', () => {
    const original = sealed();
    const ct = Buffer.from(original.ct, 'base64');
    for (let i = 0; i < ct.length; i++) {
      const copy = Buffer.from(ct);
      copy[i] ^= 0x01;
      const e = { ...original, ct: copy.toString('base64') };
      try {
        openRequest(crypto, keys, { path, token: 'tok-aaaaaaaaaaaaaaaa' }, e);
        throw new Error('accepted');
      } catch (error) {
        expect((error as PassgateError).code).toBe('protocol.unauthenticated');
      }
    }
  });

  it('a request cannot be opened as a response, nor for another path, token or nonce', () => {
    const e = sealed();
    expect(() => openResponse(crypto, keys, { path, requestNonce: params.nonce }, e)).toThrow(PassgateError);
    expect(() => openRequest(crypto, keys, { path: PATHS.verifyIdCard, token: 'tok-aaaaaaaaaaaaaaaa' }, e)).toThrow(
      PassgateError,
    );
    expect(() => openRequest(crypto, keys, { path, token: 'tok-bbbbbbbbbbbbbbbb' }, e)).toThrow(PassgateError);
    const res = sealResponse(crypto, keys, { path, requestNonce: params.nonce }, { ok: true }, params);
    expect(() => openResponse(crypto, keys, { path, requestNonce: 'cd'.repeat(16) }, res)).toThrow(PassgateError);
  });

  it('random JSON values never throw anything but PassgateError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          openResponse(crypto, keys, { path, requestNonce: params.nonce }, value);
        } catch (error) {
          expect(error).toBeInstanceOf(PassgateError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('random envelopes of the right shape are rejected as unauthenticated', () => {
    const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));
    fc.assert(
      fc.property(hex(16), hex(16), fc.uint8Array({ minLength: 16, maxLength: 200 }), hex(32), (nonce, iv, ct, mac) => {
        const e = { v: 1, ts: 5, nonce, iv, ct: Buffer.from(ct).toString('base64'), mac };
        expect(() => openResponse(crypto, keys, { path, requestNonce: params.nonce }, e)).toThrow(PassgateError);
      }),
      { numRuns: 200 },
    );
  });
});
