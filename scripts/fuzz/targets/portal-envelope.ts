// The portal envelope and the response bodies (portal-client/protocol): response texts mutated
// from sealed answers of every interface, and plaintexts of any bytes sealed under the session
// keys (so they pass the MAC and reach the body readers). Contract: only protocol.malformed or
// protocol.unauthenticated is thrown; nothing opens that was not sealed with the keys; a verdict
// the reader accepts obeys the masking rule; an error names fields, never their values.
import fc from 'fast-check';
import { isMaskedIdNumber, isMaskedName, maskIdNumber, maskName } from '../../../firmware/core/verdict.js';
import { createGmCryptoSuite } from '../../../portal-client/crypto/gm-suite.js';
import { MAC_DOMAIN, PATHS, type PortalPath, PROTOCOL_VERSION } from '../../../portal-client/protocol/constants.js';
import { macText, openResponse, sealResponse } from '../../../portal-client/protocol/envelope.js';
import {
  readAuthorizeResult,
  readBindResult,
  readPlainError,
  readResponseBody,
  readVerdict,
} from '../../../portal-client/protocol/messages.js';
import { deriveSessionKeys } from '../../../portal-client/protocol/session-keys.js';
import { parseJson } from '../../../portal-client/protocol/wire-reader.js';
import { shorterText } from '../minimise.js';
import { textInputs } from '../mutate.js';
import { allowing, check, type FuzzTarget } from '../target.js';

const crypto = createGmCryptoSuite();
const keys = deriveSessionKeys(crypto, Buffer.alloc(32, 7));
const NONCE = '0123456789abcdef0123456789abcdef';
const TS = 1_767_225_600_000;
const ALLOWED = ['protocol.malformed', 'protocol.unauthenticated'];

const READERS: Record<string, (v: unknown) => unknown> = {
  [PATHS.authorize]: readAuthorizeResult,
  [PATHS.bind]: readBindResult,
  [PATHS.rebind]: readBindResult,
  [PATHS.verifyPassCode]: readVerdict,
  [PATHS.verifyIdCard]: readVerdict,
};

const VENUE = { code: 'V0001', name: '体育馆', category: 'stadium', natValidityHours: 48, vaccinationDoses: 3 };
const BODIES: [PortalPath, unknown][] = [
  [
    PATHS.verifyPassCode,
    {
      ok: true,
      result: { opinion: 'PASS', maskedName: maskName('张三'), maskedId: maskIdNumber('110105198001010011') },
    },
  ],
  [
    PATHS.verifyIdCard,
    {
      ok: true,
      result: {
        opinion: 'DENY',
        maskedName: maskName('李小龙'),
        maskedId: maskIdNumber('110105198001010011'),
        nat: { validityHours: 48, valid: false },
        vaccination: { dosesRequired: 3, complete: true },
      },
    },
  ],
  [PATHS.verifyPassCode, { ok: true, result: { opinion: 'SHOW_CODE', maskedName: null, maskedId: null } }],
  [PATHS.verifyPassCode, { ok: false, error: { code: 'CLOCK_SKEW', portalTime: TS } }],
  [
    PATHS.authorize,
    { ok: true, result: { token: 'A'.repeat(32), expiresAt: TS + 3_600_000, portalTime: TS, binding: VENUE } },
  ],
  [PATHS.bind, { ok: true, result: { venue: VENUE, boundAt: TS } }],
];

interface EnvelopeInput {
  path: PortalPath;
  /** 'text': the response text as received; 'plaintext': the body, sealed under the keys first. */
  mode: 'text' | 'plaintext';
  text: string;
}

/** Response texts the session keys sealed: only these may open. */
const sealedCts = new Set<string>();

function sealText(path: PortalPath, plaintext: string): string {
  const iv = Buffer.alloc(16, 3);
  const ct = crypto.sm4CbcEncrypt(keys.responseEncryption, iv, Buffer.from(plaintext, 'utf8')).toString('base64');
  const fields = { ts: TS, nonce: 'fedcba9876543210fedcba9876543210', iv: iv.toString('hex'), ct };
  const mac = crypto.hmacSm3(keys.responseMac, Buffer.from(macText(MAC_DOMAIN.response, path, NONCE, fields), 'utf8'));
  sealedCts.add(ct);
  return JSON.stringify({ v: PROTOCOL_VERSION, ...fields, mac: mac.toString('hex') });
}

function seeds(): EnvelopeInput[] {
  const out: EnvelopeInput[] = [];
  for (const [path, body] of BODIES) {
    const envelope = sealResponse(crypto, keys, { path, requestNonce: NONCE }, body, {
      ts: TS,
      nonce: 'fedcba9876543210fedcba9876543210',
      iv: Buffer.alloc(16, 9),
    });
    sealedCts.add(envelope.ct);
    out.push({ path, mode: 'text', text: JSON.stringify(envelope) });
    out.push({ path, mode: 'plaintext', text: JSON.stringify(body) });
  }
  out.push({
    path: PATHS.verifyPassCode,
    mode: 'text',
    text: JSON.stringify({ v: 1, error: { code: 'BAD_MAC', portalTime: TS } }),
  });
  return out;
}

export function portalEnvelopeTarget(): FuzzTarget<EnvelopeInput> {
  return {
    name: 'portal-envelope',
    seeds,
    inputs: (corpus) =>
      fc.record({
        path: fc.constantFrom(...(Object.values(PATHS) as PortalPath[])),
        mode: fc.constantFrom('text' as const, 'plaintext' as const),
        text: textInputs(
          corpus.map((e) => e.text),
          4096,
        ),
      }),
    run(input) {
      const text = input.mode === 'plaintext' ? sealText(input.path, input.text) : input.text;
      const json = allowing(ALLOWED, () => parseJson(text));
      if (!json.ok) return json.outcome;
      const plain = allowing(ALLOWED, () => readPlainError(json.value));
      const opened = allowing(ALLOWED, () =>
        openResponse(crypto, keys, { path: input.path, requestNonce: NONCE }, json.value),
      );
      if (!opened.ok) return `${opened.outcome}${plain.ok ? ':plain-error' : ''}`;
      const ct = (json.value as { ct: string }).ct;
      check(sealedCts.has(ct), 'an envelope opened that the session keys never sealed');
      const body = allowing(ALLOWED, () => readResponseBody(opened.value.body, READERS[input.path]));
      if (!body.ok) {
        const field = String(body.error.details.field ?? '');
        check(
          !/[0-9]{15}/.test(`${body.error.message}${JSON.stringify(body.error.details)}`),
          'an error repeats a value',
        );
        return `body-${body.outcome}:${field}`;
      }
      if (!body.value.ok) return `error-answer:${body.value.error.code}`;
      if (input.path === PATHS.verifyPassCode || input.path === PATHS.verifyIdCard) {
        const v = body.value.result as { maskedName: string | null; maskedId: string | null; opinion: string };
        check((v.maskedName === null) === (v.maskedId === null), 'a verdict with only one of name and number');
        if (v.maskedName !== null) check(isMaskedName(v.maskedName), 'a verdict with an unmasked name');
        if (v.maskedId !== null) check(isMaskedIdNumber(v.maskedId), 'a verdict with an unmasked number');
        return `verdict:${v.opinion}`;
      }
      return `result:${input.path}`;
    },
    smaller: function* (input) {
      for (const text of shorterText(input.text)) yield { ...input, text };
    },
    show: (input) => JSON.stringify(input).slice(0, 2000),
  };
}
