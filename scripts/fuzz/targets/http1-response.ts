// The portal transport's HTTP/1.1 response parser (portal-client/http1-response.ts): any bytes,
// in any chunks, then the connection's end, with the product's limits and with small ones (so
// the limits are reached by short inputs). Contract: never throws; fails only with
// portal.bad-response or portal.unreachable; how the bytes were cut changes nothing; a response
// has a final status, a body within the limit and of its Content-Length, lower-case field names
// with values free of control characters, and is reusable only when its body was delimited.
import { PassgateError } from '../../../firmware/core/errors.js';
import {
  HTTP1_LIMITS,
  type Http1Limits,
  Http1ResponseParser,
  type Http1Step,
} from '../../../portal-client/http1-response.js';
import { chunkedStreamParts } from '../chunked-stream.js';
import { type ChunkedBytes, chunksOf } from '../mutate.js';
import { ContractViolation, check, type FuzzTarget } from '../target.js';

const SMALL_LIMITS: Http1Limits = { maxHeadBytes: 200, maxHeaderFields: 6, maxBodyBytes: 64, maxInterimResponses: 2 };
const ALLOWED_CODES = ['portal.bad-response', 'portal.unreachable'];

const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const SEEDS = [
  text(
    'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nKeep-Alive: timeout=5\r\n\r\n{"ok":true}',
  ),
  text(
    'HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n8;x=1\r\n{"half":\r\nd\r\n"two chunks"}\r\n0\r\nT: 1\r\n\r\n',
  ),
  text('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}'),
  text('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'),
  text('HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n{"v":1,"error":{"code":"TOKEN_INVALID"}}'),
  text('HTTP/1.1 204 No Content\r\nVia: a\r\nvia: b\r\n\r\nHTTP/1.1 200 OK\r\n'),
  text('HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc'),
];

interface Outcome {
  /** What the parse ended with, as one comparable text. */
  summary: string;
  /** Bytes the parser took before its result (everything fed, less the excess). */
  consumed: number;
  step: Http1Step;
}

function feed(chunks: Uint8Array[], limits: Http1Limits): Outcome {
  const parser = new Http1ResponseParser(limits);
  let fed = 0;
  let step: Http1Step = { kind: 'more' };
  for (const chunk of chunks) {
    fed += chunk.length;
    step = parser.push(chunk);
    if (step.kind !== 'more') break;
  }
  if (step.kind === 'more') step = parser.end();
  if (step.kind === 'failed') {
    const { error } = step;
    if (!(error instanceof PassgateError) || !ALLOWED_CODES.includes(error.code)) {
      throw new ContractViolation(`failed with ${error instanceof PassgateError ? error.code : String(error)}`);
    }
    // The details' byte counts (size, received) tell how far the parser got: they may differ by cut.
    const why = error.details.reason ?? error.details.errno ?? ('size' in error.details ? 'too-large' : '');
    return { summary: `failed:${error.code}:${String(why)}`, consumed: 0, step };
  }
  if (step.kind === 'more') throw new ContractViolation('still wants more after the end of the connection');
  const { response, excess } = step;
  const headers = JSON.stringify([...response.headers]);
  const body = response.body.toString('latin1');
  return {
    summary: `response:${response.status}:${response.reusable}:${response.keepAliveMs}:${headers}:${body}`,
    consumed: fed - excess,
    step,
  };
}

function checkResponse(step: Http1Step, limits: Http1Limits): string {
  if (step.kind === 'failed') {
    const { details } = step.error;
    return `failed:${String(details.reason ?? details.errno ?? ('size' in details ? 'too-large' : 'other'))}`;
  }
  if (step.kind !== 'response') return 'more';
  const { response } = step;
  check(response.status >= 200 && response.status <= 599, `final status ${response.status}`);
  check(response.body.length <= limits.maxBodyBytes, `a ${response.body.length}-byte body`);
  const length = response.headers.get('content-length');
  const coding = response.headers.get('transfer-encoding');
  if (length !== undefined && coding === undefined && response.status !== 204 && response.status !== 304) {
    check(response.body.length === Number(length.split(',')[0]), 'a body not of its Content-Length');
  }
  for (const [name, value] of response.headers) {
    check(name === name.toLowerCase(), 'a field name not in lower case');
    check(!/[\x00-\x08\x0a-\x1f\x7f]/.test(value), 'a control character in a field value');
  }
  const delimited = length !== undefined || coding !== undefined || response.status === 204 || response.status === 304;
  check(!response.reusable || delimited, 'reusable after a body that ran to the close');
  const framing = coding !== undefined ? 'chunked' : length !== undefined ? 'length' : delimited ? 'none' : 'close';
  return `response:${Math.floor(response.status / 100)}xx:${framing}:${response.reusable ? 'keep' : 'close'}`;
}

export function http1ResponseTarget(): FuzzTarget<ChunkedBytes> {
  return {
    name: 'http1-response',
    ...chunkedStreamParts(SEEDS, 4096),
    run(input) {
      const outcomes: string[] = [];
      for (const [name, limits] of [
        ['product', HTTP1_LIMITS],
        ['small', SMALL_LIMITS],
      ] as const) {
        const cut = feed(chunksOf(input), limits);
        const whole = feed([input.bytes], limits);
        check(cut.summary === whole.summary, `${name} limits: the result depends on how the bytes were cut`);
        check(cut.consumed === whole.consumed, `${name} limits: the response's end depends on the cuts`);
        outcomes.push(`${name}:${checkResponse(cut.step, limits)}`);
      }
      return outcomes.join(',');
    },
  };
}
