import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CardType, isIdNumberOfCardType } from '../../../firmware/core/id-number.js';
import { createGmCryptoSuite } from '../../../portal-client/crypto/gm-suite.js';
import { DEMO_APPROVED_VENDOR } from '../../../portal-client/mock/domain/demo-dataset.js';
import { portalError } from '../../../portal-client/portal-errors.js';
import { PATHS, PROTOCOL_DOCUMENT_VERSION } from '../../../portal-client/protocol/constants.js';
import { openRequest, openResponse, readEnvelope } from '../../../portal-client/protocol/envelope.js';
import { PLAIN_ERROR_STATUS } from '../../../portal-client/protocol/http-status.js';
import {
  PORTAL_ERROR_CODES,
  type PortalErrorCode,
  readAuthorizeRequest,
  readAuthorizeResult,
  readBindResult,
  readIdCardBody,
  readPlainError,
  readResponseBody,
  readVerdict,
  supportsAlgorithms,
} from '../../../portal-client/protocol/messages.js';
import { deriveSessionKeys } from '../../../portal-client/protocol/session-keys.js';
import { authorizeSigningText } from '../../../portal-client/protocol/signing.js';
import { computeVectors, VECTOR_BLOCK, type VectorInputs } from '../../../portal-client/protocol/vectors.js';

interface VectorDoc {
  inputs: VectorInputs;
  sm2: { authorizeSessionKey: string; authorizeSignature: string; authorizeSigningText: string };
  expected: ReturnType<typeof computeVectors>;
}

const DOC = readFileSync(new URL('../../../portal-client/PROTOCOL.md', import.meta.url), 'utf8');

function vectorsFromDocument(): VectorDoc {
  const block = VECTOR_BLOCK.exec(DOC);
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

  it('the ID-card request: a non-ASCII name as UTF-8, and a ciphertext whose base64 is padded', () => {
    const keys = deriveSessionKeys(crypto, Buffer.from(v.inputs.sessionSecret, 'hex'));
    const envelope = v.expected.idCardRequestEnvelope as { ct: string };
    const ciphertext = Buffer.from(envelope.ct, 'base64');
    expect(ciphertext.length % 3).not.toBe(0);
    expect(envelope.ct).toMatch(/=$/);
    const opened = openRequest(crypto, keys, { path: PATHS.verifyIdCard, token: v.inputs.token }, envelope);
    expect(opened.body).toEqual(v.inputs.idCardRequest.body);
    // The same envelope unpadded is refused: receivers take padded base64 only.
    expect(() =>
      openRequest(
        crypto,
        keys,
        { path: PATHS.verifyIdCard, token: v.inputs.token },
        { ...envelope, ct: envelope.ct.replace(/=+$/, '') },
      ),
    ).toThrow(expect.objectContaining({ code: 'protocol.malformed' }));
  });

  it('bodies are serialised compactly, in field order, non-ASCII as UTF-8: the plaintexts are exactly those bytes', () => {
    const keys = deriveSessionKeys(crypto, Buffer.from(v.inputs.sessionSecret, 'hex'));
    const plaintext = (envelope: unknown, key: Buffer) => {
      const e = envelope as { iv: string; ct: string };
      return crypto.sm4CbcDecrypt(key, Buffer.from(e.iv, 'hex'), Buffer.from(e.ct, 'base64'));
    };
    const idCard = plaintext(v.expected.idCardRequestEnvelope, keys.requestEncryption);
    expect(idCard.toString('utf8')).toBe('{"cardType":"resident","name":"张三","idNumber":"11010519491231002X"}');
    expect(idCard.includes(Buffer.from('张三', 'utf8'))).toBe(true);
    expect(idCard.toString('latin1')).not.toContain('\\u');
    const response = plaintext(v.expected.responseEnvelope, keys.responseEncryption);
    expect(response.toString('utf8')).toBe(JSON.stringify(v.inputs.response.body));
    expect(response.includes(Buffer.from('*三', 'utf8'))).toBe(true);
    // Another serialisation of the same body gives another ciphertext: the vectors fix this one.
    const iv = Buffer.from(v.inputs.request.iv, 'hex');
    const compact = crypto.sm4CbcEncrypt(
      keys.requestEncryption,
      iv,
      Buffer.from(JSON.stringify(v.inputs.request.body)),
    );
    const spaced = crypto.sm4CbcEncrypt(
      keys.requestEncryption,
      iv,
      Buffer.from(JSON.stringify(v.inputs.request.body, null, 1)),
    );
    const documented = (v.expected.requestEnvelope as { ct: string }).ct;
    expect(compact.toString('base64')).toBe(documented);
    expect(spaced.toString('base64')).not.toBe(documented);
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

// ------------------------------------------------------------------ the document's examples and tables

/** Every ```json block of the document with the name of its `<!-- example: NAME -->` label ('' if none). */
function jsonBlocks(): { name: string; value: unknown }[] {
  const blocks: { name: string; value: unknown }[] = [];
  for (const m of DOC.matchAll(/(?:<!-- (example|vectors):? ?([a-z-]*) -->\s*)?```json\n([\s\S]*?)```/g)) {
    blocks.push({ name: m[1] === 'vectors' ? 'vectors' : (m[2] ?? ''), value: JSON.parse(m[3]) });
  }
  return blocks;
}

/** Replaces every `<…>` placeholder string by the value `fill` has for its field; fails on one it lacks. */
function filled(value: unknown, fill: Record<string, unknown>, field = ''): unknown {
  if (typeof value === 'string' && /^<.*>$/.test(value)) {
    if (!(field in fill)) throw new Error(`no value for the placeholder of ${field}`);
    return fill[field];
  }
  if (Array.isArray(value)) return value.map((item) => filled(item, fill, field));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, filled(item, fill, k)]));
  }
  return value;
}

/** The rows of the markdown table whose header row starts with `firstHeader`, cells trimmed. */
function tableRows(firstHeader: string): string[][] {
  const lines = DOC.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader} `));
  if (start < 0) throw new Error(`no table headed ${firstHeader}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

describe("PROTOCOL.md's document version, examples and tables", () => {
  const v = vectorsFromDocument();

  it('states the document version the code implements', () => {
    const stated = /^\*\*Document version: ([0-9]+\.[0-9]+)\.\*\*/m.exec(DOC);
    expect(stated?.[1]).toBe(PROTOCOL_DOCUMENT_VERSION);
  });

  it('every JSON block is a labelled example or the vectors, and each passes its reader', () => {
    const requestEnvelope = v.expected.requestEnvelope as Record<string, unknown>;
    const checks: Record<string, (value: unknown) => void> = {
      'plain-error': (value) => expect(readPlainError(value).error.code).toBe('TOKEN_INVALID'),
      'authorize-request': (value) => {
        const request = readAuthorizeRequest(
          filled(value, {
            nonce: v.inputs.authorize.nonce,
            sessionKey: v.sm2.authorizeSessionKey,
            appMac: v.expected.authorizeAppMac,
            sig: v.sm2.authorizeSignature,
          }),
        );
        expect(supportsAlgorithms(request.alg)).toBe(true);
        // The example is the vector's request: an app ID (the mock's demo app), not a vendor ID.
        expect([request.deviceId, request.appId, request.ts]).toEqual([
          v.inputs.deviceId,
          v.inputs.appId,
          v.inputs.authorize.ts,
        ]);
        expect(request.appId).toBe(DEMO_APPROVED_VENDOR.appId);
        expect(request.appId).not.toBe(DEMO_APPROVED_VENDOR.id);
      },
      'authorize-response': (value) =>
        expect(readResponseBody(filled(value, { token: v.inputs.token }), readAuthorizeResult).ok).toBe(true),
      envelope: (value) => expect(readEnvelope(filled(value, requestEnvelope))).toMatchObject({ v: 1 }),
      'sealed-error': (value) =>
        expect(readResponseBody(value, () => undefined)).toEqual({
          ok: false,
          error: { code: 'CLOCK_SKEW', portalTime: expect.any(Number) },
        }),
      'bind-result': (value) => expect(readBindResult(value).venue.category).toBe('transport'),
      'id-card-body': (value) => expect(readIdCardBody(value)).toEqual(v.inputs.idCardRequest.body),
      verdict: (value) => expect(readVerdict(value).opinion).toBe('PASS'),
      'show-code-verdict': (value) => {
        expect(readVerdict(value)).toEqual({ opinion: 'SHOW_CODE', maskedName: null, maskedId: null });
        // Findings on a verdict without a person are refused.
        const withNat = { ...(value as object), nat: { validityHours: 24, valid: false } };
        expect(() => readVerdict(withNat)).toThrow(expect.objectContaining({ code: 'protocol.malformed' }));
      },
    };
    const blocks = jsonBlocks();
    expect(blocks.map((b) => b.name).sort()).toEqual([...Object.keys(checks), 'vectors'].sort());
    for (const block of blocks) if (block.name !== 'vectors') checks[block.name](block.value);
  });

  it("§7's ID-number table: each example has its card type's format, and no other card type's", () => {
    const rows = tableRows('`cardType`');
    expect(rows).toHaveLength(4);
    for (const [cardTypeCell, , , exampleCell] of rows) {
      const cardType = cardTypeCell.replace(/`/g, '') as CardType;
      const example = exampleCell.replace(/`/g, '');
      expect(isIdNumberOfCardType(cardType, example), `${cardType} ${example}`).toBe(true);
      // resident and hmt-permit share a format; the foreigner's card shares none.
      const others = (['resident', 'hmt-permit', 'foreign-permanent'] as const).filter(
        (t) => t !== cardType && (t === 'foreign-permanent' || cardType === 'foreign-permanent'),
      );
      for (const other of others) expect(isIdNumberOfCardType(other, example), `${other} ${example}`).toBe(false);
    }
  });

  it("§8's table: every error code, its plaintext HTTP status and the device's error", () => {
    const rows = tableRows('code');
    expect(rows.map((r) => r[0])).toEqual([...PORTAL_ERROR_CODES]);
    for (const [code, , status, deviceError] of rows) {
      const portalCode = code as PortalErrorCode;
      expect(status === 'sealed only' ? null : Number(status), code).toBe(PLAIN_ERROR_STATUS[portalCode]);
      if (portalCode === 'TOKEN_INVALID' || portalCode === 'CLOCK_SKEW') continue; // handled, not mapped
      expect(deviceError, code).toBe(`\`${portalError({ code: portalCode }, 200).code}\``);
    }
  });
});
