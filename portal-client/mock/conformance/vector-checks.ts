// §10: the kit's own protocol and crypto code reproduces the document's vectors byte for byte.
// These run locally, without the portal: they check the code a vendor adapted, before any request
// depends on it.
import { isDeepStrictEqual } from 'node:util';
import { PATHS } from '../../protocol/constants.js';
import { openResponse } from '../../protocol/envelope.js';
import { deriveSessionKeys } from '../../protocol/session-keys.js';
import { authorizeSigningText } from '../../protocol/signing.js';
import { computeVectors, type VectorOutputs } from '../../protocol/vectors.js';
import { type ConformanceCheck, expectThat } from './check.js';
import type { ConformanceContext } from './context.js';
import { DOCUMENT_VECTORS } from './document-vectors.js';

const { inputs, sm2, expected } = DOCUMENT_VECTORS;

function computed(ctx: ConformanceContext): VectorOutputs {
  return computeVectors(ctx.crypto, inputs, sm2.authorizeSessionKey);
}

/** The check that `computed[key]` equals the document's. */
function reproduces(id: string, section: string, title: string, key: keyof VectorOutputs): ConformanceCheck {
  return {
    id,
    section,
    title,
    async run(ctx) {
      const value = computed(ctx)[key];
      expectThat(isDeepStrictEqual(value, expected[key]), `${key} differs from §10's`);
    },
  };
}

export const VECTOR_CHECKS: readonly ConformanceCheck[] = [
  {
    id: 'vectors.public-keys',
    section: '§1 §10',
    title: 'SM2 public keys of the fixed private keys',
    async run(ctx) {
      const c = computed(ctx);
      expectThat(c.devicePublicKey === expected.devicePublicKey, 'devicePublicKey differs from §10');
      expectThat(c.portalPublicKey === expected.portalPublicKey, 'portalPublicKey differs from §10');
    },
  },
  reproduces('vectors.session-keys', '§5 §10', 'the four session keys derived from the session secret', 'keys'),
  reproduces('vectors.app-mac', '§4 §10', 'appMac: HMAC-SM3 of the authorize signing text', 'authorizeAppMac'),
  {
    id: 'vectors.request-envelope',
    section: '§3 §5 §10',
    title: 'the pass-code request: MAC text, envelope and Authorization header',
    async run(ctx) {
      const c = computed(ctx);
      expectThat(c.requestMacText === expected.requestMacText, 'the request MAC text differs from §10');
      expectThat(isDeepStrictEqual(c.requestEnvelope, expected.requestEnvelope), 'the request envelope differs');
      expectThat(c.requestAuthorization === expected.requestAuthorization, 'the Authorization header differs');
    },
  },
  {
    id: 'vectors.response-envelope',
    section: '§5 §10',
    title: 'the response envelope is reproduced and opens to its body',
    async run(ctx) {
      expectThat(
        isDeepStrictEqual(computed(ctx).responseEnvelope, expected.responseEnvelope),
        'the response envelope differs from §10',
      );
      const keys = deriveSessionKeys(ctx.crypto, Buffer.from(inputs.sessionSecret, 'hex'));
      const binding = { path: PATHS.verifyPassCode, requestNonce: inputs.request.nonce };
      const opened = openResponse(ctx.crypto, keys, binding, expected.responseEnvelope);
      expectThat(isDeepStrictEqual(opened.body, inputs.response.body), 'the response opens to another body');
    },
  },
  reproduces(
    'vectors.id-card-envelope',
    '§3 §5 §10',
    'the ID-card request: UTF-8 name, padded base64',
    'idCardRequestEnvelope',
  ),
  {
    id: 'vectors.sm2-signature',
    section: '§1 §10',
    title: "the document's authorize signature verifies; a fresh one does too",
    async run(ctx) {
      const signingText = Buffer.from(sm2.authorizeSigningText, 'utf8');
      const publicKey = Buffer.from(computed(ctx).devicePublicKey, 'hex');
      expectThat(
        authorizeSigningText({ ...inputs, ...inputs.authorize, sessionKey: sm2.authorizeSessionKey }) ===
          sm2.authorizeSigningText,
        'the authorize signing text differs from §10',
      );
      expectThat(
        ctx.crypto.sm2Verify(publicKey, signingText, Buffer.from(sm2.authorizeSignature, 'hex')),
        "§10's signature does not verify with the device key",
      );
      const fresh = ctx.crypto.sm2Sign(Buffer.from(inputs.devicePrivateKey, 'hex'), signingText);
      expectThat(ctx.crypto.sm2Verify(publicKey, signingText, fresh), 'a fresh signature does not verify');
    },
  },
  {
    id: 'vectors.sm2-session-key',
    section: '§1 §4 §10',
    title: "the document's sessionKey decrypts to the session secret",
    async run(ctx) {
      const secret = ctx.crypto.sm2Decrypt(
        Buffer.from(inputs.portalPrivateKey, 'hex'),
        Buffer.from(sm2.authorizeSessionKey, 'hex'),
      );
      expectThat(secret.toString('hex') === inputs.sessionSecret, 'sessionKey decrypts to another secret');
    },
  },
];
