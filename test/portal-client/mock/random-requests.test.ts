// The mock portal against random requests: random bodies and headers on every path, random
// bodies sealed with a real session, any pass code, any identity, broken authorize requests. It
// answers 200 or 4xx, never a 5xx or a dropped connection, and keeps serving.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { PATHS, type PortalPath } from '../../../portal-client/protocol/constants.js';
import { readPlainError, readVerdict } from '../../../portal-client/protocol/messages.js';
import type { PortalTransport } from '../../../portal-client/transport.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import {
  answerBody,
  cardTypeAndNumber,
  nearValid,
  syntheticName,
  validIdNumber,
} from '../faults/protocol-arbitraries.js';
import { authorizeRequest, type HeldSession, holdSession } from './session-tools.js';

let f: PortalFixture;
let green: string;

beforeAll(async () => {
  f = await startPortalFixture({ deviceId: 'WX-FUZZ-0001' });
  await f.client().bind(demoVenues()[5].venueCode);
  green = f.mock.passCodeFor('green');
});
afterAll(async () => f.close());

describe('the mock portal against random requests', () => {
  let held: HeldSession;
  let transport: PortalTransport;
  let token: string;
  beforeAll(async () => {
    // A real session whose token and keys the test holds.
    held = await holdSession(f, green);
    transport = held.transport;
    token = held.token;
  });
  afterAll(async () => held.close());

  const printable = fc.stringMatching(/^[\x20-\x7e]{0,60}$/);
  const PATHS_TO_FUZZ = [
    ...Object.values(PATHS),
    '/admin/faults',
    '/admin/devices',
    '/admin/vendors/suspend',
    '/admin/stats',
    '/admin/nope',
    '/',
    '/passgate/v1',
    '/passgate/v2/authorize',
  ];

  async function post(path: string, headers: Record<string, string>, body: string): Promise<number> {
    const answer = await transport.post(path, headers, body, 3000); // a dropped connection would throw
    return answer.status;
  }

  it('random bodies and headers on every path → 200 or 4xx, never a 5xx or a dropped connection', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS_TO_FUZZ),
        fc.oneof(
          answerBody.map((b) => b.toString()),
          nearValid(['v', 'deviceId', 'appId', 'ts', 'nonce', 'sessionKey', 'alg', 'appMac', 'sig']).map((v) =>
            JSON.stringify(v),
          ),
        ),
        fc.option(
          fc.oneof(
            printable,
            printable.map((t) => `PG1 ${t}`),
            fc.constant('REAL'),
          ),
          { nil: undefined },
        ),
        fc.option(
          printable.filter((t) => t.length > 0),
          { nil: undefined },
        ),
        async (path, body, authorization, adminToken) => {
          const headers: Record<string, string> = {};
          if (authorization !== undefined)
            headers.authorization = authorization === 'REAL' ? `PG1 ${token}` : authorization;
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
        idNumber: fc.oneof(
          fc.stringMatching(/^[0-9A-Z]{15,18}$/),
          validIdNumber,
          validIdNumber.map((id) => id.toLowerCase()),
        ),
      }),
      nearValid(['venueCode', 'sig']),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sealedPaths), payload, async (path, body) => {
        const response = await held.call(path, body);
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

  /** Seals `body` for `path` with the test's session, posts it, and reads the sealed verdict. */
  async function sealedCall(path: PortalPath, body: unknown) {
    const response = await held.call(path, body);
    return response.ok ? { ok: true as const, result: readVerdict(response.result) } : response;
  }

  it('any text as a pass code → a SHOW_CODE verdict with no person', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 300 }),
          fc.string({ maxLength: 200 }).map((t) => `PGC1.${t}`),
          fc.base64String({ minLength: 40, maxLength: 200 }).map((t) => `PGC1.${t}`),
        ),
        async (code) => {
          const response = await sealedCall(PATHS.verifyPassCode, { code });
          expect(response).toEqual({ ok: true, result: { opinion: 'SHOW_CODE', maskedName: null, maskedId: null } });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('any well-formed identity the portal does not know → CHECK_SKM with a masked identity the device accepts', async () => {
    const name = fc.oneof(
      fc
        .array(fc.constantFrom('王', '李', '欧', '阳', '娜', '伟', '·', '𠀀'), { minLength: 1, maxLength: 40 })
        .map((c) => c.join('')),
      fc.stringMatching(/^[A-Z][a-z]{0,10}( [A-Z][a-z]{0,10}){0,2}$/),
    );
    await fc.assert(
      fc.asyncProperty(cardTypeAndNumber, name, async ({ cardType, idNumber }, cardName) => {
        const response = await sealedCall(PATHS.verifyIdCard, { cardType, name: cardName, idNumber });
        expect(response.ok).toBe(true);
        if (response.ok) expect(response.result.opinion).toBe('CHECK_SKM'); // readVerdict already checked the masking
      }),
      { numRuns: 100 },
    );
  });

  it('authorize with valid app credentials but a random signature or session key → 403 / 400, never a 5xx', async () => {
    /** A DER SEQUENCE of two positive INTEGERs: well-formed, but no signature of anything here. */
    const der = (r: Uint8Array, s: Uint8Array) => {
      const int = (v: Uint8Array) => {
        const bytes = Buffer.concat([Buffer.from([0]), Buffer.from(v)]);
        let start = 0;
        while (start < bytes.length - 1 && bytes[start] === 0 && !(bytes[start + 1] & 0x80)) start++;
        return Buffer.concat([Buffer.from([0x02, bytes.length - start]), bytes.subarray(start)]);
      };
      const body = Buffer.concat([int(r), int(s)]);
      return Buffer.concat([Buffer.from([0x30, body.length]), body]).toString('hex');
    };
    const EXPECTED = {
      'der-signature': [403, 'BAD_SIGNATURE'],
      'raw-signature': [400, 'BAD_REQUEST'],
      'session-key': [400, 'SESSION_KEY_INVALID'],
    } as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(EXPECTED) as (keyof typeof EXPECTED)[])),
        fc.uint8Array({ minLength: 1, maxLength: 32 }).filter((b) => b.some((x) => x !== 0)),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.uint8Array({ minLength: 129, maxLength: 129 }),
        async (broken, scalar, raw, sessionKeyBytes) => {
          const sig =
            broken === 'der-signature'
              ? der(scalar, scalar)
              : broken === 'raw-signature'
                ? Buffer.from(raw).toString('hex')
                : undefined;
          const sessionKey = broken === 'session-key' ? Buffer.from(sessionKeyBytes).toString('hex') : undefined;
          const request = authorizeRequest(f, { sig, sessionKey });
          const answer = await transport.post(PATHS.authorize, {}, JSON.stringify(request), 3000);
          const [status, code] = EXPECTED[broken];
          expect([answer.status, readPlainError(JSON.parse(answer.text)).error.code]).toEqual([status, code]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('keeps serving afterwards', async () => {
    f.mock.server.clearFaults(); // in case a random admin body was a valid fault setting
    const client = f.client({ timeouts: { verifyDeadlineMs: 3000 } });
    expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
  });
});
