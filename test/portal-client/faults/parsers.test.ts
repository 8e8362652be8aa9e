// Random input into every reader of the wire protocol, into the client (a fake portal answering
// random bytes, JSON and statuses) and into the mock portal (random bodies on every path). Readers
// only ever throw PassgateError protocol.malformed / protocol.unauthenticated; the client only
// ever fails with a typed portal error within its deadline, never a verdict; the mock answers
// 200 or 4xx, never crashes, and keeps serving.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassgateError, type ErrorCode } from '../../../firmware/core/errors.js';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { PortalClient } from '../../../portal-client/client.js';
import { ALGORITHMS, PATHS, type PortalPath } from '../../../portal-client/protocol/constants.js';
import { openRequest, openResponse, readEnvelope, sealRequest, sealResponse } from '../../../portal-client/protocol/envelope.js';
import {
  PORTAL_ERROR_CODES,
  readAuthorizeRequest,
  readAuthorizeResult,
  readBindBody,
  readBindResult,
  readIdCardBody,
  readPassCodeBody,
  readPlainError,
  readResponseBody,
  readVenueInfo,
  readVerdict,
} from '../../../portal-client/protocol/messages.js';
import { deriveSessionKeys, type SessionKeys } from '../../../portal-client/protocol/session-keys.js';
import { authorizeSigningText } from '../../../portal-client/protocol/signing.js';
import { parseJson, readBool, readEnum, readInt, readObject, readString } from '../../../portal-client/protocol/wire-reader.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { isMaskedIdNumber, isMaskedName } from '../../../firmware/core/verdict.js';
import { syntheticIdNumber } from '../../../firmware/core/id-number.js';
import { createPortalTransport, type PortalTransport } from '../../../portal-client/transport.js';
import { crypto, startPortalFixture, type PortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { rejection } from '../../support/failures.js';
import { escrowingCrypto, recordingTransport, startFakePortal, timed, type FakePortal } from './fault-tools.js';

const DEADLINE_MS = 500;
const SLACK_MS = 250;

/** Runs `fn`; anything thrown must be a PassgateError with one of `codes`. */
function throwsOnly(codes: readonly ErrorCode[], fn: () => unknown): { threw: boolean; value?: unknown } {
  try {
    return { threw: false, value: fn() };
  } catch (error) {
    if (!(error instanceof PassgateError) || !codes.includes(error.code)) throw error;
    return { threw: true };
  }
}

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const anyHex = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('hex'));
const plausibleScalar = fc.oneof(
  fc.anything(),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(1, 0, -1, 24, 48, 72, 3, Number.MAX_SAFE_INTEGER, 2 ** 53, 1.5, NaN),
  fc.string({ maxLength: 80 }),
  hex(16),
  hex(32),
  anyHex,
  fc.constantFrom('PASS', 'DENY', 'SHOW_CODE', 'CHECK_SKM', 'transport', 'resident', '*三', '3****************X', 'A*************B', ...PORTAL_ERROR_CODES),
  fc.base64String({ maxLength: 80 }),
);

/** Objects with (some of) the field names a reader expects, plus maybe extra keys, values random. */
function nearValid(fields: readonly string[], nested: fc.Arbitrary<unknown> = plausibleScalar): fc.Arbitrary<Record<string, unknown>> {
  const shape = Object.fromEntries(fields.map((k) => [k, fc.oneof(plausibleScalar, nested)]));
  return fc
    .tuple(fc.record(shape, { requiredKeys: [] }), fc.option(fc.dictionary(fc.string({ maxLength: 8 }), plausibleScalar, { maxKeys: 2 }), { nil: undefined }))
    .map(([base, extra]) => ({ ...(extra ?? {}), ...base }));
}

const VENUE_FIELDS = ['code', 'name', 'category', 'natValidityHours', 'vaccinationDoses'];
const venueLike = nearValid(VENUE_FIELDS);
const verdictLike = nearValid(['opinion', 'maskedName', 'maskedId', 'nat', 'vaccination'], fc.oneof(nearValid(['validityHours', 'valid']), nearValid(['dosesRequired', 'complete'])));
const errorLike = nearValid(['code', 'portalTime']);
const ENVELOPE_FIELDS = ['v', 'ts', 'nonce', 'iv', 'ct', 'mac'];

const READERS: { name: string; read: (v: unknown) => unknown; shaped: fc.Arbitrary<unknown> }[] = [
  { name: 'readAuthorizeRequest', read: readAuthorizeRequest, shaped: nearValid(['v', 'deviceId', 'appId', 'ts', 'nonce', 'sessionKey', 'alg', 'appMac', 'sig'], fc.oneof(fc.constant(ALGORITHMS), nearValid(Object.keys(ALGORITHMS)))) },
  { name: 'readVenueInfo', read: readVenueInfo, shaped: venueLike },
  { name: 'readAuthorizeResult', read: readAuthorizeResult, shaped: nearValid(['token', 'expiresAt', 'portalTime', 'binding'], venueLike) },
  { name: 'readBindResult', read: readBindResult, shaped: nearValid(['venue', 'boundAt'], venueLike) },
  { name: 'readVerdict', read: readVerdict, shaped: verdictLike },
  { name: 'readBindBody', read: readBindBody, shaped: nearValid(['venueCode', 'sig']) },
  { name: 'readPassCodeBody', read: readPassCodeBody, shaped: nearValid(['code']) },
  { name: 'readIdCardBody', read: readIdCardBody, shaped: nearValid(['cardType', 'name', 'idNumber']) },
  { name: 'readResponseBody(verdict)', read: (v) => readResponseBody(v, readVerdict), shaped: nearValid(['ok', 'result', 'error'], fc.oneof(verdictLike, errorLike)) },
  { name: 'readResponseBody(authorize)', read: (v) => readResponseBody(v, readAuthorizeResult), shaped: nearValid(['ok', 'result', 'error'], fc.oneof(nearValid(['token', 'expiresAt', 'portalTime', 'binding']), errorLike)) },
  { name: 'readPlainError', read: readPlainError, shaped: nearValid(['v', 'error'], errorLike) },
  { name: 'readEnvelope', read: readEnvelope, shaped: nearValid(ENVELOPE_FIELDS) },
];

describe('protocol readers take any input', () => {
  for (const r of READERS) {
    it(`${r.name}: random values, JSON from random bytes and near-valid objects → a value or protocol.malformed`, () => {
      const input = fc.oneof(
        fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }),
        fc.jsonValue(),
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8')),
        r.shaped,
        r.shaped,
      );
      fc.assert(
        fc.property(input, (value) => {
          throwsOnly(['protocol.malformed'], () => r.read(value));
        }),
        { numRuns: 400 },
      );
    });
  }

  it('parseJson on random text (and random bytes as UTF-8) → a value or protocol.malformed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')), fc.json()), (text) => {
        throwsOnly(['protocol.malformed'], () => parseJson(text));
      }),
      { numRuns: 500 },
    );
  });

  it('the field readers on random objects and keys → a value of the asked type or protocol.malformed', () => {
    fc.assert(
      fc.property(fc.anything(), fc.string({ maxLength: 10 }), fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }), (value, key, keys) => {
        const obj = (typeof value === 'object' && value !== null ? value : { [key]: value }) as Record<string, unknown>;
        throwsOnly(['protocol.malformed'], () => readObject(value, 'x', keys));
        const s = throwsOnly(['protocol.malformed'], () => readString(obj, key, { max: 20, min: 1, pattern: /^[a-z]+$/ }));
        if (!s.threw) expect(s.value).toMatch(/^[a-z]{1,20}$/);
        const i = throwsOnly(['protocol.malformed'], () => readInt(obj, key, -5, 5));
        if (!i.threw) expect(Number.isInteger(i.value) && Math.abs(i.value as number) <= 5).toBe(true);
        const b = throwsOnly(['protocol.malformed'], () => readBool(obj, key));
        if (!b.threw) expect(typeof b.value).toBe('boolean');
        const e = throwsOnly(['protocol.malformed'], () => readEnum(obj, key, ['a', 1, null]));
        if (!e.threw) expect(['a', 1, null]).toContain(e.value);
      }),
      { numRuns: 500 },
    );
  });

  it('a verdict the reader accepts always satisfies the masking rule', () => {
    fc.assert(
      fc.property(verdictLike, (value) => {
        const r = throwsOnly(['protocol.malformed'], () => readVerdict(value));
        if (r.threw) return;
        const v = r.value as { maskedName: string | null; maskedId: string | null };
        expect(v.maskedName === null).toBe(v.maskedId === null);
        if (v.maskedName !== null) expect(isMaskedName(v.maskedName)).toBe(true);
        if (v.maskedId !== null) expect(isMaskedIdNumber(v.maskedId)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('malformed errors name the field, never the offending value', () => {
    const secret = fc.stringMatching(/^[0-9]{17}[0-9X]$/);
    fc.assert(
      fc.property(secret, fc.constantFrom('maskedName', 'maskedId', 'opinion'), (value, field) => {
        const verdict = { opinion: 'PASS', maskedName: '*三', maskedId: '3****************X', [field]: value };
        try {
          readVerdict(verdict);
        } catch (error) {
          expect(error).toBeInstanceOf(PassgateError);
          expect((error as PassgateError).message).not.toContain(value);
          expect(JSON.stringify((error as PassgateError).details)).not.toContain(value);
          return;
        }
        throw new Error('an unmasked value was accepted');
      }),
      { numRuns: 100 },
    );
  });
});

describe('sealed envelopes with random keys and random tampering', () => {
  const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => deriveSessionKeys(crypto, Buffer.from(b)));
  const path = fc.constantFrom<PortalPath>(...Object.values(PATHS));

  it('opening anything with any keys → protocol.malformed or protocol.unauthenticated', () => {
    fc.assert(
      fc.property(keyArb, path, fc.oneof(fc.anything(), nearValid(ENVELOPE_FIELDS)), hex(16), (keys, p, value, nonce) => {
        throwsOnly(['protocol.malformed', 'protocol.unauthenticated'], () => openResponse(crypto, keys, { path: p, requestNonce: nonce }, value));
        throwsOnly(['protocol.malformed', 'protocol.unauthenticated'], () => openRequest(crypto, keys, { path: p, token: 'x'.repeat(16) }, value));
      }),
      { numRuns: 300 },
    );
  });

  it('a sealed response with one field changed never opens', () => {
    const fields = ['ts', 'nonce', 'iv', 'ct', 'mac'] as const;
    fc.assert(
      fc.property(keyArb, hex(16), fc.jsonValue(), fc.constantFrom(...fields), plausibleScalar, fc.nat(), (keys, nonce, body, field, replacement, flip) => {
        const sealed = sealResponse(crypto, keys, { path: PATHS.verifyPassCode, requestNonce: nonce }, body ?? null, {
          ts: 1_767_225_600_000,
          nonce: crypto.randomBytes(16).toString('hex'),
          iv: crypto.randomBytes(16),
        });
        const original = (sealed as unknown as Record<string, unknown>)[field];
        let changed: unknown = replacement;
        if (typeof original === 'string' && flip % 2 === 0) {
          // one character changed within the field's own alphabet
          const i = flip % original.length;
          const alphabet = field === 'ct' ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/' : '0123456789abcdef';
          const c = alphabet[(alphabet.indexOf(original[i]) + 1) % alphabet.length];
          changed = original.slice(0, i) + c + original.slice(i + 1);
        }
        if (changed === original) return;
        const tampered = { ...sealed, [field]: changed };
        const r = throwsOnly(['protocol.malformed', 'protocol.unauthenticated'], () => openResponse(crypto, keys, { path: PATHS.verifyPassCode, requestNonce: nonce }, tampered));
        expect(r.threw).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

// ------------------------------------------------------------------ over the network

let f: PortalFixture;
let green: string;

beforeAll(async () => {
  f = await startPortalFixture({ deviceId: 'WX-FUZZ-0001' });
  await f.client().bind(demoVenues()[5].venueCode);
  green = f.mock.passCodeFor('green');
});
afterAll(async () => f.close());

/** Synthetic names: CJK given names, with odd but legal shapes (long, Latin, a middle dot). */
const syntheticName = fc.oneof(
  fc.array(fc.constantFrom('王', '李', '欧', '阳', '娜', '伟', '·', 'A', 'z'), { minLength: 1, maxLength: 45 }).map((c) => c.join('')),
  fc.stringMatching(/^[A-Z][a-z]{0,20}( [A-Z][a-z]{0,20}){0,2}$/),
);
/** Valid GB 11643 numbers (correct check digit), drawn from fast-check's randomness. */
const validIdNumber = fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 5, maxLength: 5 }).map((r) => {
  let i = 0;
  return syntheticIdNumber({ random: () => r[i++ % r.length], region: '320213' });
});

const STATUSES = [200, 200, 200, 201, 202, 301, 400, 401, 403, 404, 409, 413, 429, 500, 502, 503, 504];
const answerBody = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  nearValid(ENVELOPE_FIELDS).map((v) => JSON.stringify(v)),
  fc
    .record({ v: fc.oneof(fc.constant(1), plausibleScalar), error: fc.oneof(errorLike, fc.record({ code: fc.constantFrom(...PORTAL_ERROR_CODES), portalTime: fc.oneof(fc.constant(Date.now()), fc.integer()) }, { requiredKeys: ['code'] })) }, { requiredKeys: [] })
    .map((v) => JSON.stringify(v)),
);
const randomAnswer = fc.record({ status: fc.constantFrom(...STATUSES), body: answerBody });

describe('the client against a portal answering random bytes, JSON and statuses', () => {
  let fake: FakePortal;
  beforeAll(async () => {
    fake = await startFakePortal(f);
  });
  afterAll(async () => fake.close());

  function fuzzClient() {
    const timeouts = timeoutTable({ verifyDeadlineMs: DEADLINE_MS });
    return new PortalClient({
      transport: createPortalTransport({ url: fake.url, caPem: f.mock.caPem ?? undefined, timeouts }),
      crypto,
      identity: { deviceId: f.deviceId, privateKey: f.deviceKey.privateKey, appId: f.mock.vendor.appId, appSecret: f.mock.vendor.appSecret },
      portalPublicKey: f.mock.portalPublicKey,
      timeouts,
    });
  }

  async function expectTypedFailure(client: PortalClient): Promise<void> {
    const { elapsedMs, result } = await timed(() => client.verifyPassCode(green));
    if (result.status === 'fulfilled') throw new Error('a random answer became a verdict');
    const error = await rejection(Promise.reject(result.reason));
    expect(error.area).toBe('portal');
    expect(elapsedMs).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
  }

  it('random answers to the verification (authorize forwarded to the real mock)', async () => {
    const client = fuzzClient();
    try {
      await fc.assert(
        fc.asyncProperty(randomAnswer, async (answer) => {
          fake.decide = (r) => (r.path === PATHS.verifyPassCode ? answer : 'forward');
          await expectTypedFailure(client);
        }),
        { numRuns: 120 },
      );
      fake.decide = () => 'forward';
      await client.authorize(); // a random TOKEN_INVALID may have dropped the session
      expect((await client.verifyPassCode(green)).opinion).toBe('PASS'); // and it recovers
    } finally {
      fake.decide = () => 'forward';
      await client.close();
    }
  });

  it('random answers to authorize, for a client that has no session yet', async () => {
    await fc.assert(
      fc.asyncProperty(randomAnswer, async (answer) => {
        const client = fuzzClient();
        try {
          fake.decide = () => answer;
          await expectTypedFailure(client);
          expect(client.status().tokenValid).toBe(false);
        } finally {
          await client.close();
        }
      }),
      { numRuns: 20 },
    );
    fake.decide = () => 'forward';
  });
});

describe('the mock portal against random requests', () => {
  let transport: PortalTransport;
  let token: string;
  let keys: SessionKeys;
  beforeAll(async () => {
    // A real session whose token and keys the test holds (escrowing crypto, recording transport).
    const escrow = escrowingCrypto(crypto);
    const timeouts = timeoutTable();
    const recording = recordingTransport(createPortalTransport({ url: f.mock.url, caPem: f.mock.caPem ?? undefined, timeouts }));
    const client = new PortalClient({
      transport: recording,
      crypto: escrow,
      identity: { deviceId: f.deviceId, privateKey: f.deviceKey.privateKey, appId: f.mock.vendor.appId, appSecret: f.mock.vendor.appSecret },
      portalPublicKey: f.mock.portalPublicKey,
      timeouts,
    });
    expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
    token = recording.exchanges.find((e) => e.path === PATHS.verifyPassCode)!.headers.authorization.slice('PG1 '.length);
    keys = deriveSessionKeys(crypto, escrow.sessionSecrets[0]);
    transport = createPortalTransport({ url: f.mock.url, caPem: f.mock.caPem ?? undefined, timeouts });
  });
  afterAll(async () => transport.close());

  const printable = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
  const PATHS_TO_FUZZ = [...Object.values(PATHS), '/admin/faults', '/admin/devices', '/admin/vendors/suspend', '/admin/stats', '/admin/nope', '/', '/passgate/v1', '/passgate/v2/authorize'];

  async function post(path: string, headers: Record<string, string>, body: string): Promise<number> {
    const answer = await transport.post(path, headers, body, 3000); // a dropped connection would throw
    return answer.status;
  }

  it('random bodies and headers on every path → 200 or 4xx, never a 5xx or a dropped connection', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS_TO_FUZZ),
        fc.oneof(answerBody.map((b) => b.toString()), nearValid(['v', 'deviceId', 'appId', 'ts', 'nonce', 'sessionKey', 'alg', 'appMac', 'sig']).map((v) => JSON.stringify(v))),
        fc.option(fc.oneof(printable, printable.map((t) => `PG1 ${t}`), fc.constant('REAL')), { nil: undefined }),
        fc.option(printable.filter((t) => t.length > 0), { nil: undefined }),
        async (path, body, authorization, adminToken) => {
          const headers: Record<string, string> = {};
          if (authorization !== undefined) headers.authorization = authorization === 'REAL' ? `PG1 ${token}` : authorization;
          if (adminToken !== undefined) headers['x-admin-token'] = adminToken;
          const status = await post(path, headers, body);
          expect(status === 200 || (status >= 400 && status < 500), `HTTP ${status} on ${path}`).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random bodies sealed with a real session → a sealed answer: an error, or a verdict that follows the masking rule', async () => {
    const sealedPaths = [PATHS.bind, PATHS.rebind, PATHS.verifyPassCode, PATHS.verifyIdCard] as const;
    const payload = fc.oneof(
      fc.jsonValue(),
      fc.record({ code: fc.string({ minLength: 1, maxLength: 300 }) }),
      fc.record({ code: fc.string({ maxLength: 40 }).map((t) => `PGC1.${t}`) }),
      fc.record({
        cardType: fc.constantFrom('resident', 'hmt-permit', 'foreign-permanent', 'x'),
        name: fc.oneof(fc.string({ minLength: 1, maxLength: 60 }), syntheticName),
        idNumber: fc.oneof(fc.stringMatching(/^[0-9A-Z]{15,18}$/), validIdNumber, validIdNumber.map((id) => id.toLowerCase())),
      }),
      nearValid(['venueCode', 'sig']),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sealedPaths), payload, async (path, body) => {
        const nonce = crypto.randomBytes(16).toString('hex');
        const envelope = sealRequest(crypto, keys, { path, token }, body, { ts: Date.now(), nonce, iv: crypto.randomBytes(16) });
        const answer = await transport.post(path, { authorization: `PG1 ${token}` }, JSON.stringify(envelope), 3000);
        expect(answer.status, `HTTP ${answer.status} on ${path}`).toBe(200);
        const opened = openResponse(crypto, keys, { path, requestNonce: nonce }, JSON.parse(answer.text));
        const response = readResponseBody(opened.body, (v) => v);
        if (!response.ok) return;
        if (path === PATHS.bind || path === PATHS.rebind) throw new Error('a random bind was accepted');
        // Whatever the mock decides, the device must be able to read it: the masking rule holds.
        const verdict = readVerdict(response.result);
        if (path === PATHS.verifyPassCode) expect(verdict.opinion).toBe('SHOW_CODE');
        else expect(verdict.opinion).toBe('CHECK_SKM');
      }),
      { numRuns: 200 },
    );
  });

  /** Seals `body` for `path` with the test's session, posts it, and opens the sealed answer. */
  async function sealedCall(path: PortalPath, body: unknown) {
    const nonce = crypto.randomBytes(16).toString('hex');
    const envelope = sealRequest(crypto, keys, { path, token }, body, { ts: Date.now(), nonce, iv: crypto.randomBytes(16) });
    const answer = await transport.post(path, { authorization: `PG1 ${token}` }, JSON.stringify(envelope), 3000);
    expect(answer.status, `HTTP ${answer.status} on ${path}`).toBe(200);
    return readResponseBody(openResponse(crypto, keys, { path, requestNonce: nonce }, JSON.parse(answer.text)).body, readVerdict);
  }

  it('any text as a pass code → a SHOW_CODE verdict with no person', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ minLength: 1, maxLength: 300 }), fc.string({ maxLength: 200 }).map((t) => `PGC1.${t}`), fc.base64String({ minLength: 40, maxLength: 200 }).map((t) => `PGC1.${t}`)), async (code) => {
        const response = await sealedCall(PATHS.verifyPassCode, { code });
        expect(response).toEqual({ ok: true, result: { opinion: 'SHOW_CODE', maskedName: null, maskedId: null } });
      }),
      { numRuns: 100 },
    );
  });

  it('any well-formed identity the portal does not know → CHECK_SKM with a masked identity the device accepts', async () => {
    const name = fc.oneof(
      fc.array(fc.constantFrom('王', '李', '欧', '阳', '娜', '伟', '·', '𠀀'), { minLength: 1, maxLength: 40 }).map((c) => c.join('')),
      fc.stringMatching(/^[A-Z][a-z]{0,10}( [A-Z][a-z]{0,10}){0,2}$/),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('resident', 'hmt-permit', 'foreign-permanent'), name, validIdNumber, async (cardType, cardName, idNumber) => {
        const response = await sealedCall(PATHS.verifyIdCard, { cardType, name: cardName, idNumber });
        expect(response.ok).toBe(true);
        if (response.ok) expect(response.result.opinion).toBe('CHECK_SKM'); // readVerdict already checked the masking
      }),
      { numRuns: 100 },
    );
  });

  it('authorize with valid app credentials but a random signature or session key → 403 / 400, never a 5xx', async () => {
    const sign = (text: Buffer) => crypto.sm2Sign(f.deviceKey.privateKey, text).toString('hex');
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.uint8Array({ minLength: 8, maxLength: 80 }), fc.uint8Array({ minLength: 129, maxLength: 129 }), async (randomSig, sigBytes, sessionKeyBytes) => {
        const ts = Date.now();
        const nonce = crypto.randomBytes(16).toString('hex');
        const sessionKey = randomSig ? crypto.sm2Encrypt(f.mock.portalPublicKey, crypto.randomBytes(32)).toString('hex') : Buffer.from(sessionKeyBytes).toString('hex');
        const text = Buffer.from(authorizeSigningText({ deviceId: f.deviceId, appId: f.mock.vendor.appId, ts, nonce, sessionKey }), 'utf8');
        const request = {
          v: 1,
          deviceId: f.deviceId,
          appId: f.mock.vendor.appId,
          ts,
          nonce,
          sessionKey,
          alg: ALGORITHMS,
          appMac: crypto.hmacSm3(Buffer.from(f.mock.vendor.appSecret, 'utf8'), text).toString('hex'),
          sig: randomSig ? Buffer.from(sigBytes).toString('hex') : sign(text),
        };
        const answer = await transport.post(PATHS.authorize, {}, JSON.stringify(request), 3000);
        expect(answer.status).toBe(randomSig ? 403 : 400);
        expect(readPlainError(JSON.parse(answer.text)).error.code).toBe(randomSig ? 'BAD_SIGNATURE' : 'BAD_REQUEST');
      }),
      { numRuns: 20 },
    );
  });

  it('keeps serving afterwards', async () => {
    f.mock.server.clearFaults(); // in case a random admin body was a valid fault setting
    const client = f.client({ timeouts: { verifyDeadlineMs: 3000 } });
    expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
  });
});
