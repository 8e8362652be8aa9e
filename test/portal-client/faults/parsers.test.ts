// Random input into every reader of the wire protocol, into the client (a fake portal answering
// random bytes, JSON and statuses) and into the mock portal (random bodies on every path). Readers
// only ever throw PassgateError protocol.malformed / protocol.unauthenticated; the client only
// ever fails with a typed portal error within its deadline, never a verdict; the mock answers
// 200 or 4xx, never crashes, and keeps serving.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ErrorCode, PassgateError } from '../../../firmware/core/errors.js';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { isMaskedIdNumber, isMaskedName } from '../../../firmware/core/verdict.js';
import { PortalClient } from '../../../portal-client/client.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { ALGORITHMS, PATHS, type PortalPath } from '../../../portal-client/protocol/constants.js';
import { openRequest, openResponse, readEnvelope, sealResponse } from '../../../portal-client/protocol/envelope.js';
import {
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
import { deriveSessionKeys } from '../../../portal-client/protocol/session-keys.js';
import {
  parseJson,
  readBool,
  readEnum,
  readInt,
  readObject,
  readString,
} from '../../../portal-client/protocol/wire-reader.js';
import { createPortalTransport } from '../../../portal-client/transport.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { rejection } from '../../support/failures.js';
import { type FakePortal, startFakePortal, timed } from './fault-tools.js';
import {
  ENVELOPE_FIELDS,
  errorLike,
  hex,
  nearValid,
  plausibleScalar,
  randomAnswer,
  venueLike,
  verdictLike,
} from './protocol-arbitraries.js';

const DEADLINE_MS = 500;
/** Timer granularity and the client's own work past a deadline; load is left out (fault-tools.ts `timed`). */
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

const READERS: { name: string; read: (v: unknown) => unknown; shaped: fc.Arbitrary<unknown> }[] = [
  {
    name: 'readAuthorizeRequest',
    read: readAuthorizeRequest,
    shaped: nearValid(
      ['v', 'deviceId', 'appId', 'ts', 'nonce', 'sessionKey', 'alg', 'appMac', 'sig'],
      fc.oneof(fc.constant(ALGORITHMS), nearValid(Object.keys(ALGORITHMS))),
    ),
  },
  { name: 'readVenueInfo', read: readVenueInfo, shaped: venueLike },
  {
    name: 'readAuthorizeResult',
    read: readAuthorizeResult,
    shaped: nearValid(['token', 'expiresAt', 'portalTime', 'binding'], venueLike),
  },
  { name: 'readBindResult', read: readBindResult, shaped: nearValid(['venue', 'boundAt'], venueLike) },
  { name: 'readVerdict', read: readVerdict, shaped: verdictLike },
  { name: 'readBindBody', read: readBindBody, shaped: nearValid(['venueCode', 'sig']) },
  { name: 'readPassCodeBody', read: readPassCodeBody, shaped: nearValid(['code']) },
  { name: 'readIdCardBody', read: readIdCardBody, shaped: nearValid(['cardType', 'name', 'idNumber']) },
  {
    name: 'readResponseBody(verdict)',
    read: (v) => readResponseBody(v, readVerdict),
    shaped: nearValid(['ok', 'result', 'error'], fc.oneof(verdictLike, errorLike)),
  },
  {
    name: 'readResponseBody(authorize)',
    read: (v) => readResponseBody(v, readAuthorizeResult),
    shaped: nearValid(
      ['ok', 'result', 'error'],
      fc.oneof(nearValid(['token', 'expiresAt', 'portalTime', 'binding']), errorLike),
    ),
  },
  { name: 'readPlainError', read: readPlainError, shaped: nearValid(['v', 'error'], errorLike) },
  { name: 'readEnvelope', read: readEnvelope, shaped: nearValid(ENVELOPE_FIELDS) },
];

describe('protocol readers take any input', () => {
  for (const r of READERS) {
    it(`${r.name}: random values, JSON from random bytes and near-valid objects → a value or protocol.malformed`, () => {
      const input = fc.oneof(
        fc.anything({
          withNullPrototype: true,
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
        }),
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
      fc.property(
        fc.oneof(
          fc.string(),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')),
          fc.json(),
        ),
        (text) => {
          throwsOnly(['protocol.malformed'], () => parseJson(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the field readers on random objects and keys → a value of the asked type or protocol.malformed', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.string({ maxLength: 10 }),
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }),
        (value, key, keys) => {
          const obj = (typeof value === 'object' && value !== null ? value : { [key]: value }) as Record<
            string,
            unknown
          >;
          throwsOnly(['protocol.malformed'], () => readObject(value, 'x', keys));
          const s = throwsOnly(['protocol.malformed'], () =>
            readString(obj, key, { max: 20, min: 1, pattern: /^[a-z]+$/ }),
          );
          if (!s.threw) expect(s.value).toMatch(/^[a-z]{1,20}$/);
          const i = throwsOnly(['protocol.malformed'], () => readInt(obj, key, -5, 5));
          if (!i.threw) expect(Number.isInteger(i.value) && Math.abs(i.value as number) <= 5).toBe(true);
          const b = throwsOnly(['protocol.malformed'], () => readBool(obj, key));
          if (!b.threw) expect(typeof b.value).toBe('boolean');
          const e = throwsOnly(['protocol.malformed'], () => readEnum(obj, key, ['a', 1, null]));
          if (!e.threw) expect(['a', 1, null]).toContain(e.value);
        },
      ),
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
      fc.property(
        keyArb,
        path,
        fc.oneof(fc.anything(), nearValid(ENVELOPE_FIELDS)),
        hex(16),
        (keys, p, value, nonce) => {
          throwsOnly(['protocol.malformed', 'protocol.unauthenticated'], () =>
            openResponse(crypto, keys, { path: p, requestNonce: nonce }, value),
          );
          throwsOnly(['protocol.malformed', 'protocol.unauthenticated'], () =>
            openRequest(crypto, keys, { path: p, token: 'x'.repeat(16) }, value),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a sealed response with one field changed never opens', () => {
    const fields = ['ts', 'nonce', 'iv', 'ct', 'mac'] as const;
    fc.assert(
      fc.property(
        keyArb,
        hex(16),
        fc.jsonValue(),
        fc.constantFrom(...fields),
        plausibleScalar,
        fc.nat(),
        (keys, nonce, body, field, replacement, flip) => {
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
            const alphabet =
              field === 'ct' ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/' : '0123456789abcdef';
            const c = alphabet[(alphabet.indexOf(original[i]) + 1) % alphabet.length];
            changed = original.slice(0, i) + c + original.slice(i + 1);
          }
          if (changed === original) return;
          const tampered = { ...sealed, [field]: changed };
          const r = throwsOnly(['protocol.malformed', 'protocol.unauthenticated'], () =>
            openResponse(crypto, keys, { path: PATHS.verifyPassCode, requestNonce: nonce }, tampered),
          );
          expect(r.threw).toBe(true);
        },
      ),
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
      identity: {
        deviceId: f.deviceId,
        privateKey: f.deviceKey.privateKey,
        appId: f.mock.vendor.appId,
        appSecret: f.mock.vendor.appSecret,
      },
      portalPublicKey: f.mock.portalPublicKey,
      timeouts,
    });
  }

  async function expectTypedFailure(client: PortalClient): Promise<void> {
    const { activeMs, result } = await timed(() => client.verifyPassCode(green));
    if (result.status === 'fulfilled') throw new Error('a random answer became a verdict');
    const error = await rejection(Promise.reject(result.reason));
    expect(error.area).toBe('portal');
    expect(activeMs).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
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
