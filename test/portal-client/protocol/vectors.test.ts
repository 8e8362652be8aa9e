import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createGmCryptoSuite } from '../../../portal-client/crypto/gm-suite.js';
import { PATHS } from '../../../portal-client/protocol/constants.js';
import { openRequest, openResponse } from '../../../portal-client/protocol/envelope.js';
import { deriveSessionKeys } from '../../../portal-client/protocol/session-keys.js';
import { authorizeSigningText } from '../../../portal-client/protocol/signing.js';
import { computeVectors, type VectorInputs } from '../../../portal-client/protocol/vectors.js';

interface VectorDoc {
  inputs: VectorInputs;
  sm2: { authorizeSessionKey: string; authorizeSignature: string; authorizeSigningText: string };
  expected: ReturnType<typeof computeVectors>;
}

function vectorsFromDocument(): VectorDoc {
  const doc = readFileSync(new URL('../../../portal-client/PROTOCOL.md', import.meta.url), 'utf8');
  const block = /<!-- vectors:begin -->\s*```json\n([\s\S]*?)```\s*<!-- vectors:end -->/.exec(doc);
  if (!block) throw new Error('PROTOCOL.md has no vectors block');
  return JSON.parse(block[1]) as VectorDoc;
}

describe('PROTOCOL.md test vectors', () => {
  const crypto = createGmCryptoSuite();
  const v = vectorsFromDocument();

  it('recomputes every expected value from the inputs', () => {
    expect(computeVectors(crypto, v.inputs, v.sm2.authorizeSessionKey)).toEqual(v.expected);
  });

  it('the authorize signing text is the documented line layout', () => {
    const text = authorizeSigningText({
      deviceId: v.inputs.deviceId,
      appId: v.inputs.appId,
      ts: v.inputs.authorize.ts,
      nonce: v.inputs.authorize.nonce,
      sessionKey: v.sm2.authorizeSessionKey,
    });
    expect(text).toBe(v.sm2.authorizeSigningText);
    expect(text.split('\n').slice(0, 2)).toEqual(['passgate/v1', 'authorize']);
  });

  it('the documented SM2 signature verifies with the device public key, and not for other text', () => {
    const pub = Buffer.from(v.expected.devicePublicKey, 'hex');
    const sig = Buffer.from(v.sm2.authorizeSignature, 'hex');
    expect(crypto.sm2Verify(pub, Buffer.from(v.sm2.authorizeSigningText, 'utf8'), sig)).toBe(true);
    expect(crypto.sm2Verify(pub, Buffer.from(v.sm2.authorizeSigningText + 'x', 'utf8'), sig)).toBe(false);
  });

  it('the documented session key decrypts to the session secret with the portal key', () => {
    const secret = crypto.sm2Decrypt(
      Buffer.from(v.inputs.portalPrivateKey, 'hex'),
      Buffer.from(v.sm2.authorizeSessionKey, 'hex'),
    );
    expect(secret.toString('hex')).toBe(v.inputs.sessionSecret);
  });

  it('the documented envelopes open to the documented bodies', () => {
    const keys = deriveSessionKeys(crypto, Buffer.from(v.inputs.sessionSecret, 'hex'));
    const req = openRequest(
      crypto,
      keys,
      { path: PATHS.verifyPassCode, token: v.inputs.token },
      v.expected.requestEnvelope,
    );
    expect(req.body).toEqual(v.inputs.request.body);
    const res = openResponse(
      crypto,
      keys,
      { path: PATHS.verifyPassCode, requestNonce: v.inputs.request.nonce },
      v.expected.responseEnvelope,
    );
    expect(res.body).toEqual(v.inputs.response.body);
  });
});
