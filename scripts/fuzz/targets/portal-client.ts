// The client's handling of responses (portal-client/client.ts): a real client talks to the mock
// portal in process, and each verification's genuine answer is replaced on its way back: mutated,
// swapped for another status and body, or replayed from an earlier request. Contract: a
// verification either fails with a PassgateError of the portal area or yields a verdict, and a
// verdict only ever comes from the genuine answer (the same JSON); afterwards the client still
// verifies a genuine answer (it recovers from whatever it was sent).
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { PassgateError } from '../../../firmware/core/errors.js';
import { PATHS, PROTOCOL_VERSION } from '../../../portal-client/protocol/constants.js';
import type { HttpAnswer } from '../../../portal-client/transport.js';
import { shorterList } from '../minimise.js';
import { applyMutations, type Mutation, mutation } from '../mutate.js';
import { type PortalRig, startPortalRig } from '../portal-rig.js';
import { check, type FuzzTarget } from '../target.js';

interface ClientInput {
  mode: 'mutate' | 'status' | 'replay';
  mutations: Mutation[];
  status: number;
  /** For 'status': a plaintext error code, or a random body. */
  body: { code: string; portalTime: number | undefined } | string;
}

const STATUSES = [200, 200, 400, 401, 403, 404, 429, 500, 502, 503];
const CODES = ['TOKEN_INVALID', 'CLOCK_SKEW', 'NOT_BOUND', 'BAD_MAC', 'REPLAY', 'RATE_LIMITED', 'INTERNAL', 'NOPE'];

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function fuzzedAnswer(input: ClientInput, answer: HttpAnswer, earlier: readonly HttpAnswer[]): HttpAnswer {
  if (input.mode === 'mutate') {
    const bytes = applyMutations(Buffer.from(answer.text), input.mutations, () => Buffer.from(answer.text));
    return { status: answer.status, text: Buffer.from(bytes).toString('utf8') };
  }
  if (input.mode === 'replay' && earlier.length > 0) return earlier[earlier.length - 1];
  const body =
    typeof input.body === 'string'
      ? input.body
      : JSON.stringify({ v: PROTOCOL_VERSION, error: { code: input.body.code, portalTime: input.body.portalTime } });
  return { status: input.status, text: body };
}

export function portalClientTarget(): FuzzTarget<ClientInput> {
  let rig: PortalRig;
  let green: string;
  /** Genuine answers to earlier verifications (a replay must never be trusted). */
  const earlier: HttpAnswer[] = [];
  return {
    name: 'portal-client',
    async seeds() {
      rig = await startPortalRig();
      green = rig.mock.passCodeFor('green');
      return [
        { mode: 'mutate', mutations: [], status: 200, body: '' },
        { mode: 'status', mutations: [], status: 401, body: { code: 'TOKEN_INVALID', portalTime: undefined } },
        { mode: 'replay', mutations: [], status: 200, body: '' },
      ];
    },
    inputs: () =>
      fc.record({
        mode: fc.constantFrom('mutate' as const, 'status' as const, 'replay' as const),
        mutations: fc.array(mutation, { maxLength: 6 }),
        status: fc.oneof(fc.constantFrom(...STATUSES), fc.integer({ min: 100, max: 599 })),
        body: fc.oneof(
          fc.record({
            code: fc.constantFrom(...CODES),
            portalTime: fc.option(fc.integer({ min: 0, max: 2 ** 53 - 1 }), { nil: undefined }),
          }),
          fc.string({ maxLength: 200 }),
        ),
      }),
    async run(input) {
      // The last verification exchange: what the mock answered and what the client got. The first
      // one is fuzzed; a resend after a refused token or clock passes through unchanged.
      let last: { genuine: HttpAnswer; delivered: HttpAnswer } | undefined;
      let fuzzed = false;
      rig.filter = (exchange, answer) => {
        if (exchange.path !== PATHS.verifyPassCode) return answer;
        let delivered = answer;
        if (!fuzzed) {
          fuzzed = true;
          delivered = fuzzedAnswer(input, answer, earlier);
          earlier.push(answer);
          if (earlier.length > 4) earlier.shift();
        }
        last = { genuine: answer, delivered };
        return delivered;
      };
      let outcome: string;
      try {
        const verdict = await rig.client.verifyPassCode(green);
        check(
          last !== undefined &&
            last.delivered.status === 200 &&
            isDeepStrictEqual(parsed(last.delivered.text), parsed(last.genuine.text)),
          'a verdict from an answer that is not the genuine one',
        );
        outcome = `verdict:${verdict.opinion}`;
      } catch (error) {
        if (!(error instanceof PassgateError) || error.area !== 'portal') throw error;
        outcome = `error:${error.code}`;
      } finally {
        rig.filter = undefined;
      }
      // It recovers: the next genuine answer is a verdict again (a fresh authorize if need be).
      const after = await rig.client.verifyPassCode(green);
      check(after.opinion === 'PASS', `after a fuzzed answer, a genuine one gave ${after.opinion}`);
      return outcome;
    },
    smaller: function* (input) {
      for (const mutations of shorterList(input.mutations)) yield { ...input, mutations };
    },
    show: (input) => JSON.stringify(input),
    close: () => rig?.close(),
  };
}
