// Prints PROTOCOL.md's vector block recomputed from the inputs it holds: run it after changing an
// input and paste the output between the vectors markers. The document's SM2 session key is kept
// (it decrypts to sessionSecret whatever else changes); its signature is kept while it still
// verifies for the signing text, and made anew otherwise (SM2 signing is randomised).
// Run: node scripts/bin/run-ts.mjs scripts/lab/protocol-vectors.ts
import { readFileSync } from 'node:fs';
import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import { authorizeSigningText } from '../../portal-client/protocol/signing.js';
import { computeVectors, VECTOR_BLOCK, type VectorInputs } from '../../portal-client/protocol/vectors.js';

function main(): void {
  const doc = readFileSync(new URL('../../portal-client/PROTOCOL.md', import.meta.url), 'utf8');
  const block = VECTOR_BLOCK.exec(doc);
  if (!block) throw new Error('PROTOCOL.md has no vectors block');
  const current = JSON.parse(block[1]) as {
    inputs: VectorInputs;
    sm2: { authorizeSessionKey: string; authorizeSignature: string };
  };
  const crypto = createGmCryptoSuite();
  const { inputs } = current;
  const sessionKey = current.sm2.authorizeSessionKey;
  const signingText = authorizeSigningText({
    deviceId: inputs.deviceId,
    appId: inputs.appId,
    ts: inputs.authorize.ts,
    nonce: inputs.authorize.nonce,
    sessionKey,
  });
  const text = Buffer.from(signingText, 'utf8');
  const devicePrivateKey = Buffer.from(inputs.devicePrivateKey, 'hex');
  const devicePublicKey = crypto.sm2PublicKeyOf(devicePrivateKey);
  const kept = Buffer.from(current.sm2.authorizeSignature, 'hex');
  const signature = crypto.sm2Verify(devicePublicKey, text, kept) ? kept : crypto.sm2Sign(devicePrivateKey, text);
  const vectors = {
    inputs,
    sm2: {
      authorizeSessionKey: sessionKey,
      authorizeSignature: signature.toString('hex'),
      authorizeSigningText: signingText,
    },
    expected: computeVectors(crypto, inputs, sessionKey),
  };
  process.stdout.write(`${JSON.stringify(vectors, null, 2)}\n`);
}

main();
