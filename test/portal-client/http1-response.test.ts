// The portal transport's HTTP/1.1 response parser on byte sequences: framing by length, chunks
// and close, persistence, interim answers, limits, garbage, and every way of cutting the bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PassgateError } from '../../firmware/core/errors.js';
import { HTTP1_LIMITS, Http1ResponseParser, type Http1Step } from '../../portal-client/http1-response.js';
import { MAX_BODY_BYTES } from '../../portal-client/protocol/constants.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');

/** Feeds the chunks, then the connection's end if asked; the last step that is not "more". */
function parse(chunks: Buffer[], end = false): Http1Step {
  const parser = new Http1ResponseParser();
  let step: Http1Step = { kind: 'more' };
  for (const chunk of chunks) {
    step = parser.push(chunk);
    if (step.kind !== 'more') return step;
  }
  return end ? parser.end() : step;
}

/** What a step says, in plain values (a response's headers as an object, its body as text). */
function summary(step: Http1Step): unknown {
  if (step.kind === 'more') return 'more';
  if (step.kind === 'failed') return { code: step.error.code, details: step.error.details };
  const { response, excess } = step;
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: response.body.toString('latin1'),
    reusable: response.reusable,
    keepAliveMs: response.keepAliveMs,
    excess,
  };
}

function failure(step: Http1Step): { code: string; reason?: unknown } {
  expect(step.kind).toBe('failed');
  const { error } = step as { error: PassgateError };
  expect(error).toBeInstanceOf(PassgateError);
  return { code: error.code, reason: error.details.reason };
}

const CONTENT_LENGTH =
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nKeep-Alive: timeout=5\r\n\r\n{"ok":true}';
const CHUNKED =
  'HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '8;ext=1\r\n{"half":\r\nd\r\n"two chunks"}\r\n0\r\nX-Trailer: t\r\n\r\n';
const INTERIM =
  'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n' +
  'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}';
const UNTIL_CLOSE = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"to":"the end"}';

describe('HTTP/1.1 responses the parser reads', () => {
  it('a body framed by Content-Length: status, headers (lower-case names), body, kept alive, the server idle timeout', () => {
    expect(summary(parse([bytes(CONTENT_LENGTH)]))).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json', 'content-length': '11', 'keep-alive': 'timeout=5' },
      body: '{"ok":true}',
      reusable: true,
      keepAliveMs: 5000,
      excess: 0,
    });
  });

  it('a chunked body with an extension and a trailer: the chunks joined, the trailer dropped', () => {
    expect(summary(parse([bytes(CHUNKED)]))).toMatchObject({
      status: 409,
      body: '{"half":"two chunks"}',
      reusable: true,
      keepAliveMs: null,
    });
  });

  it('interim 1xx answers are skipped; the final answer is returned', () => {
    expect(summary(parse([bytes(INTERIM)]))).toMatchObject({
      status: 200,
      body: '{}',
      headers: { 'content-length': '2' },
    });
  });

  it('neither length nor chunks: the body runs to the end of the connection, which is then not reused', () => {
    expect(parse([bytes(UNTIL_CLOSE)])).toEqual({ kind: 'more' });
    expect(summary(parse([bytes(UNTIL_CLOSE)], true))).toMatchObject({ body: '{"to":"the end"}', reusable: false });
  });

  it.each([
    ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', true],
    ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', true],
  ])('persistence of %j: %s', (text, reusable) => {
    expect(summary(parse([bytes(text)]))).toMatchObject({ body: '', reusable });
  });

  it('204 has no body; a repeated field is joined; an empty reason phrase is fine', () => {
    expect(summary(parse([bytes('HTTP/1.1 204\r\nVia: a\r\nvia:  b \r\n\r\n')]))).toMatchObject({
      status: 204,
      headers: { via: 'a, b' },
      body: '',
    });
  });

  it('a repeated equal Content-Length is one length', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}';
    expect(summary(parse([bytes(text)]))).toMatchObject({ body: '{}' });
  });

  it('bytes after the response are counted as excess; pushing more after it fails', () => {
    const parser = new Http1ResponseParser();
    const step = parser.push(bytes(`${CONTENT_LENGTH}HTTP/1.1 200 OK\r\n`));
    expect(summary(step)).toMatchObject({ body: '{"ok":true}', excess: 17 });
    expect(failure(parser.push(bytes('x')))).toEqual({ code: 'portal.bad-response', reason: 'after-response' });
  });

  it('the connection ending before the answer is complete → portal.unreachable (errno closed), with the bytes received', () => {
    const none = parse([], true);
    expect(none.kind === 'failed' && none.error.details).toEqual({ errno: 'closed', received: 0 });
    expect(failure(parse([bytes(CONTENT_LENGTH.slice(0, -1))], true)).code).toBe('portal.unreachable');
    expect(failure(parse([bytes(CHUNKED.slice(0, -2))], true)).code).toBe('portal.unreachable');
    expect(failure(parse([bytes('HTTP/1.1 200 OK\r\n')], true)).code).toBe('portal.unreachable');
  });

  describe('cut anywhere, the same result', () => {
    const whole = { CONTENT_LENGTH, CHUNKED, INTERIM, UNTIL_CLOSE };
    it.each(Object.entries(whole))('%s cut in two at every byte, and byte by byte', (_name, text) => {
      const all = bytes(text);
      const expected = summary(parse([all], true));
      expect(expected).toMatchObject({ excess: 0 });
      for (let cut = 0; cut <= all.length; cut++) {
        expect(summary(parse([all.subarray(0, cut), all.subarray(cut)], true)), `cut at ${cut}`).toEqual(expected);
      }
      const singles = [...all].map((b) => Buffer.from([b]));
      expect(summary(parse(singles, true))).toEqual(expected);
    });
  });
});

describe('limits', () => {
  it('a Content-Length over MAX_BODY_BYTES is refused before the body arrives', () => {
    const step = parse([bytes(`HTTP/1.1 200 OK\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`)]);
    expect(step.kind === 'failed' && step.error.details).toEqual({ size: MAX_BODY_BYTES + 1 });
    expect(failure(step).code).toBe('portal.bad-response');
  });

  it('a body of exactly MAX_BODY_BYTES is read', () => {
    const body = 'x'.repeat(MAX_BODY_BYTES);
    const step = parse([bytes(`HTTP/1.1 200 OK\r\nContent-Length: ${MAX_BODY_BYTES}\r\n\r\n${body}`)]);
    expect(step.kind === 'response' && step.response.body.length).toBe(MAX_BODY_BYTES);
  });

  it('chunks adding up to more than MAX_BODY_BYTES, and a body to the close over it, are refused', () => {
    const half = (MAX_BODY_BYTES / 2).toString(16);
    const x = 'x'.repeat(MAX_BODY_BYTES / 2);
    const chunked = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${half}\r\n${x}\r\n${half}\r\n${x}\r\n1\r\n`;
    expect(failure(parse([bytes(chunked)])).code).toBe('portal.bad-response');
    const toClose = `HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(MAX_BODY_BYTES + 1)}`;
    expect(failure(parse([bytes(toClose)])).code).toBe('portal.bad-response');
  });

  it('a head over maxHeadBytes, or with more than maxHeaderFields fields, is refused', () => {
    const long = `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(HTTP1_LIMITS.maxHeadBytes)}\r\n\r\n`;
    expect(failure(parse([bytes(long)])).reason).toBe('head-too-large');
    const endless = bytes(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(HTTP1_LIMITS.maxHeadBytes)}`);
    expect(failure(parse([endless.subarray(0, 1000), endless.subarray(1000)])).reason).toBe('head-too-large');
    const many = `HTTP/1.1 200 OK\r\n${'X: 1\r\n'.repeat(HTTP1_LIMITS.maxHeaderFields + 1)}\r\n`;
    expect(failure(parse([bytes(many)])).reason).toBe('too-many-fields');
  });

  it('more interim answers than allowed are refused', () => {
    const text = 'HTTP/1.1 100 Continue\r\n\r\n'.repeat(HTTP1_LIMITS.maxInterimResponses + 1);
    expect(failure(parse([bytes(text)])).reason).toBe('interim');
  });
});

describe('garbage → portal.bad-response with its reason', () => {
  it.each([
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n', 'status-line'],
    ['HTTP/2 status line', 'HTTP/2 200 OK\r\n\r\n', 'status-line'],
    ['a status out of range', 'HTTP/1.1 600 X\r\n\r\n', 'status-line'],
    ['a two-digit status', 'HTTP/1.1 20 X\r\n\r\n', 'status-line'],
    ['switching protocols', 'HTTP/1.1 101 Switching\r\n\r\n', 'upgrade'],
    ['a field without colon', 'HTTP/1.1 200 OK\r\nbad\r\n\r\n', 'header-field'],
    ['space before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n', 'header-field'],
    ['an obsolete folded line', 'HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n', 'header-field'],
    ['a bare LF inside the head', 'HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n', 'status-line'],
    ['a control character in a value', 'HTTP/1.1 200 OK\r\nX: a\x01b\r\nContent-Length: 0\r\n\r\n', 'header-field'],
    [
      'both framings',
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
      'conflicting-length',
    ],
    ['two different lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n', 'content-length'],
    ['a list of different lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\n', 'content-length'],
    ['a negative length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'content-length'],
    ['a gzip transfer coding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', 'transfer-coding'],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'chunk-size'],
    ['a chunk size with a sign', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n', 'chunk-size'],
    [
      'chunk data longer than its size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n',
      'chunk-data',
    ],
    ['a chunk line ended by LF alone', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n', 'line-ending'],
    [
      'an overlong chunk line',
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(2000)}`,
      'chunk-size',
    ],
    [
      'a malformed trailer',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nno colon\r\n\r\n',
      'trailer-field',
    ],
  ])('%s', (_what, text, reason) => {
    expect(failure(parse([bytes(text)]))).toEqual({ code: 'portal.bad-response', reason });
  });

  it('any bytes in any cuts: a step, never a throw; a failure is a PassgateError of portal.*', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), fc.boolean(), (chunks, end) => {
        const prefix = bytes('HTTP/1.1 200 OK\r\n');
        const step = parse([prefix, ...chunks.map((c) => Buffer.from(c))], end);
        if (step.kind === 'failed') expect(step.error.code).toMatch(/^portal\.(bad-response|unreachable)$/);
      }),
      { numRuns: 300 },
    );
  });
});
