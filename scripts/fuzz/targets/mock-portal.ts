// The mock portal's request handling (portal-client/mock/server.ts answerRequest, in process):
// raw bodies mutated from what a real client sent, on every path, with and without the session's
// token, and bodies of any bytes sealed under the session keys (so they pass the MAC and reach
// the body readers). Contract: every request gets an answer with a protocol status (never a 5xx,
// never a dropped connection); a non-200 answer is a plaintext protocol error; a request sealed
// under the session gets a 200 that opens under its keys, bound to its nonce, whose body follows
// the protocol.
import fc from 'fast-check';
import { PassgateError } from '../../../firmware/core/errors.js';
import { MAC_DOMAIN, PATHS, type PortalPath, PROTOCOL_VERSION } from '../../../portal-client/protocol/constants.js';
import { macText, openResponse } from '../../../portal-client/protocol/envelope.js';
import {
  readBindResult,
  readPlainError,
  readResponseBody,
  readVerdict,
} from '../../../portal-client/protocol/messages.js';
import { withShorterBytes } from '../minimise.js';
import { byteInputs } from '../mutate.js';
import { type PortalRig, startPortalRig } from '../portal-rig.js';
import { allowing, check, type FuzzTarget, hex } from '../target.js';

const SEALED = [PATHS.bind, PATHS.rebind, PATHS.verifyPassCode, PATHS.verifyIdCard] as const;
const OTHER_PATHS = ['/', '/passgate/v1', '/passgate/v2/authorize', '/passgate/v1/verify'];
const STATUSES = new Set([200, 400, 401, 403, 404, 405, 413, 429]);

interface MockInput {
  path: string;
  method: string;
  /** 'session': the live token; 'none': no header; otherwise the header as given. */
  authorization: string;
  /** 'raw': the body as given; 'sealed': the body is the plaintext, sealed under the session. */
  mode: 'raw' | 'sealed';
  body: Uint8Array;
}

const READERS: Record<string, (v: unknown) => unknown> = {
  [PATHS.bind]: readBindResult,
  [PATHS.rebind]: readBindResult,
  [PATHS.verifyPassCode]: readVerdict,
  [PATHS.verifyIdCard]: readVerdict,
};

export function mockPortalTarget(): FuzzTarget<MockInput> {
  let rig: PortalRig;
  let token = '';
  let counter = 0;
  const text = (s: string) => new Uint8Array(Buffer.from(s));
  return {
    name: 'mock-portal',
    async seeds() {
      rig = await startPortalRig();
      const green = rig.mock.passCodeFor('green');
      await rig.client.verifyPassCode(green);
      const verify = rig.sent.filter((e) => e.path === PATHS.verifyPassCode).at(-1);
      token = verify?.headers.authorization?.slice('PG1 '.length) ?? '';
      const recorded: MockInput[] = rig.sent.map((e) => ({
        path: e.path,
        method: 'POST',
        authorization: e.headers.authorization ? 'session' : 'none',
        mode: 'raw',
        body: text(e.body),
      }));
      return [
        ...recorded,
        {
          path: PATHS.verifyPassCode,
          method: 'POST',
          authorization: 'session',
          mode: 'sealed',
          body: text(JSON.stringify({ code: green })),
        },
        {
          path: PATHS.verifyIdCard,
          method: 'POST',
          authorization: 'session',
          mode: 'sealed',
          body: text(JSON.stringify({ cardType: 'resident', name: '张三', idNumber: '11010519491231002X' })),
        },
        {
          path: PATHS.bind,
          method: 'POST',
          authorization: 'session',
          mode: 'sealed',
          body: text('{"venueCode":"V1","sig":"30"}'),
        },
      ];
    },
    inputs: (corpus) =>
      fc.record({
        path: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...Object.values(PATHS)) },
          fc.constantFrom(...OTHER_PATHS),
        ),
        method: fc.oneof({ weight: 10, arbitrary: fc.constant('POST') }, fc.constantFrom('GET', 'PUT', '')),
        authorization: fc.oneof(
          { weight: 6, arbitrary: fc.constant('session') },
          fc.constant('none'),
          fc.string({ maxLength: 40 }),
          fc.string({ maxLength: 40 }).map((t) => `PG1 ${t}`),
        ),
        mode: fc.constantFrom('raw' as const, 'sealed' as const),
        body: byteInputs(
          corpus.map((e) => e.body),
          8192,
        ),
      }),
    async run(input) {
      const authorization =
        input.authorization === 'session' ? `PG1 ${token}` : input.authorization === 'none' ? '' : input.authorization;
      const sealedPath = (SEALED as readonly string[]).includes(input.path);
      const sealing =
        input.mode === 'sealed' && sealedPath && input.authorization === 'session' && input.method === 'POST';
      let nonce = '';
      let body: Uint8Array | string = input.body;
      if (sealing) {
        counter++;
        nonce = counter.toString(16).padStart(32, '0');
        body = sealed(rig, input.path as PortalPath, token, nonce, input.body);
      }
      const reply = await rig.mock.server.answerRequest({
        method: input.method,
        path: input.path,
        authorization,
        body: Buffer.from(body),
      });
      check(reply.kind === 'answer', 'the mock dropped a request');
      if (reply.kind !== 'answer') return 'drop';
      check(STATUSES.has(reply.status), `HTTP ${reply.status}`);
      const json = allowing(['protocol.malformed'], () => JSON.parse(reply.body) as unknown);
      check(json.ok, 'an answer that is not JSON');
      if (reply.status !== 200) {
        const plain = allowing(['protocol.malformed'], () => readPlainError(json.ok ? json.value : null));
        check(plain.ok, `HTTP ${reply.status} without a plaintext protocol error`);
        check(!sealing, `a request sealed under the session answered HTTP ${reply.status}`);
        return `plain:${reply.status}:${plain.ok ? plain.value.error.code : ''}`;
      }
      if (!sealing) return `200:${input.path}`;
      const keys = rig.sessionKeys().at(-1);
      if (keys === undefined) throw new PassgateError('protocol.malformed', 'no session keys escrowed');
      const opened = openResponse(
        rig.crypto,
        keys,
        { path: input.path as PortalPath, requestNonce: nonce },
        json.value,
      );
      const answer = readResponseBody(opened.body, READERS[input.path]);
      return answer.ok ? `sealed-result:${input.path}` : `sealed-error:${answer.error.code}`;
    },
    smaller: (input) =>
      withShorterBytes(
        input,
        (i) => i.body,
        (i, body) => ({ ...i, body }),
      ),
    show: (input) => JSON.stringify({ ...input, body: hex(input.body) }),
    close: () => rig?.close(),
  };
}

/** `plaintext` sealed as a request of the session, whatever its bytes (PROTOCOL.md §5). */
function sealed(rig: PortalRig, path: PortalPath, token: string, nonce: string, plaintext: Uint8Array): string {
  const keys = rig.sessionKeys().at(-1);
  if (keys === undefined) throw new PassgateError('protocol.malformed', 'no session keys escrowed');
  const iv = rig.crypto.randomBytes(16);
  const ct = rig.crypto.sm4CbcEncrypt(keys.requestEncryption, iv, plaintext).toString('base64');
  const fields = { ts: rig.mock.server.portalNow(), nonce, iv: iv.toString('hex'), ct };
  const mac = rig.crypto.hmacSm3(
    keys.requestMac,
    Buffer.from(macText(MAC_DOMAIN.request, path, token, fields), 'utf8'),
  );
  return JSON.stringify({ v: PROTOCOL_VERSION, ...fields, mac: mac.toString('hex') });
}
