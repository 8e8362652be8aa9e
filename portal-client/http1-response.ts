// One HTTP/1.1 response read from the bytes of a connection, pure and incremental: the portal
// transport feeds each chunk the socket delivers and gets "more", the response, or a typed
// failure. Only what a client of one JSON POST at a time needs: a status line, header fields,
// a body framed by Content-Length, by chunked transfer coding (trailers read and dropped) or by
// the end of the connection; interim 1xx answers skipped. Anything else is refused, never
// guessed at: a response whose framing is in doubt could leave the next answer misaligned.
import { PassgateError } from '../firmware/core/errors.js';
import { MAX_BODY_BYTES } from './protocol/constants.js';

export interface Http1Limits {
  /** Status line and header fields of one response (and its trailers), in bytes. */
  maxHeadBytes: number;
  maxHeaderFields: number;
  maxBodyBytes: number;
  /** Interim (1xx) responses skipped before the final one. */
  maxInterimResponses: number;
}

export const HTTP1_LIMITS: Http1Limits = {
  maxHeadBytes: 16 * 1024,
  maxHeaderFields: 64,
  maxBodyBytes: MAX_BODY_BYTES,
  maxInterimResponses: 8,
};

export interface Http1Response {
  status: number;
  /** Lower-case field names; a repeated field's values joined with ", ". */
  headers: ReadonlyMap<string, string>;
  body: Buffer;
  /** The connection may carry the next request (persistent, and the body was delimited). */
  reusable: boolean;
  /** The server's idle timeout from `Keep-Alive: timeout=N`, in ms; null when not given. */
  keepAliveMs: number | null;
}

export type Http1Step =
  | { kind: 'more' }
  /** `excess`: bytes of the last chunk after the response (the server sent what nobody asked). */
  | { kind: 'response'; response: Http1Response; excess: number }
  | { kind: 'failed'; error: PassgateError };

const MORE: Http1Step = { kind: 'more' };
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const LF = 0x0a;
/** A chunk-size line: hex size, optional extensions (ignored). */
const CHUNK_SIZE_LINE = /^([0-9A-Fa-f]{1,8})[ \t]*(?:;.*)?$/;
const MAX_CHUNK_LINE = 1024;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-5]\d\d)(?: [^\x00-\x08\x0a-\x1f\x7f]*)?$/;
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_FIELD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
/** Optional white space around a field value: spaces and tabs only. */
const OWS_AROUND = /^[ \t]+|[ \t]+$/g;
const KEEP_ALIVE_TIMEOUT = /(?:^|[,;\s])timeout\s*=\s*(\d{1,9})(?:$|[,;\s])/i;

type Mode = 'head' | 'length' | 'close' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'finished';

/** Malformed bytes: the answer cannot be read, and the connection is not used again. */
function garbage(reason: string, message: string): PassgateError {
  return new PassgateError('portal.bad-response', `portal answer is not valid HTTP/1.1: ${message}`, { reason });
}

function tooLarge(size: number): PassgateError {
  return new PassgateError('portal.bad-response', 'portal response body too large', { size });
}

export class Http1ResponseParser {
  #mode: Mode = 'head';
  #outcome: Http1Step | null = null;
  /** Bytes of an incomplete head (or a chunk-size / trailer line) held from earlier chunks. */
  #held: Buffer | null = null;
  #line = '';
  #interim = 0;
  #trailerBytes = 0;
  #received = 0;
  #status = 0;
  #headers = new Map<string, string>();
  #reusable = true;
  #keepAliveMs: number | null = null;
  /** Body bytes still expected: of the whole body (Content-Length) or of the current chunk. */
  #remaining = 0;
  #bodySize = 0;
  #body: Buffer[] = [];

  constructor(private readonly limits: Http1Limits = HTTP1_LIMITS) {}

  /** Bytes received so far (0: the server has said nothing yet). */
  get received(): number {
    return this.#received;
  }

  /** Feeds the next bytes of the connection. After a response or failure, the result stays. */
  push(chunk: Uint8Array): Http1Step {
    if (this.#outcome) {
      if (chunk.length === 0) return this.#outcome;
      return this.#fail(garbage('after-response', 'bytes after a complete response'));
    }
    this.#received += chunk.length;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let offset = 0;
    for (;;) {
      const outcome = this.#outcome as Http1Step | null; // set by #step
      if (outcome !== null) {
        if (outcome.kind === 'response' && offset < bytes.length) {
          this.#outcome = { ...outcome, excess: bytes.length - offset };
          return this.#outcome;
        }
        return outcome;
      }
      if (offset >= bytes.length && this.#mode !== 'finished') return MORE;
      offset = this.#step(bytes, offset);
    }
  }

  /** The server closed the connection: completes a body that runs to the end, fails anything else. */
  end(): Http1Step {
    if (this.#outcome) return this.#outcome;
    if (this.#mode === 'close') return this.#finish();
    return this.#fail(
      new PassgateError('portal.unreachable', 'portal closed the connection before its answer was complete', {
        errno: 'closed',
        received: this.#received,
      }),
    );
  }

  #fail(error: PassgateError): Http1Step {
    this.#mode = 'finished';
    this.#outcome = { kind: 'failed', error };
    this.#body = [];
    return this.#outcome;
  }

  #finish(): Http1Step {
    this.#mode = 'finished';
    const body = this.#body.length === 1 ? this.#body[0] : Buffer.concat(this.#body, this.#bodySize);
    this.#outcome = {
      kind: 'response',
      response: {
        status: this.#status,
        headers: this.#headers,
        body,
        reusable: this.#reusable,
        keepAliveMs: this.#keepAliveMs,
      },
      excess: 0,
    };
    return this.#outcome;
  }

  /** Consumes from `offset` in the current mode; returns the new offset. */
  #step(bytes: Buffer, offset: number): number {
    switch (this.#mode) {
      case 'head':
        return this.#readHead(bytes, offset);
      case 'length':
      case 'chunk-data':
        return this.#readCounted(bytes, offset);
      case 'close':
        this.#take(bytes.subarray(offset));
        return bytes.length;
      case 'chunk-size':
      case 'chunk-end':
      case 'trailers':
        return this.#readLine(bytes, offset);
      case 'finished':
        this.#finish();
        return offset;
    }
  }

  #take(part: Buffer): void {
    if (part.length === 0) return;
    this.#bodySize += part.length;
    if (this.#bodySize > this.limits.maxBodyBytes) {
      this.#fail(tooLarge(this.#bodySize));
      return;
    }
    this.#body.push(part);
  }

  #readCounted(bytes: Buffer, offset: number): number {
    const take = Math.min(this.#remaining, bytes.length - offset);
    this.#take(bytes.subarray(offset, offset + take));
    this.#remaining -= take;
    if (this.#remaining === 0 && !this.#outcome) this.#mode = this.#mode === 'length' ? 'finished' : 'chunk-end';
    return offset + take;
  }

  #readHead(bytes: Buffer, offset: number): number {
    const held = this.#held;
    const data = held ? Buffer.concat([held, bytes.subarray(offset)]) : bytes.subarray(offset);
    const end = data.indexOf(HEAD_END, held ? Math.max(0, held.length - 3) : 0);
    if (end < 0 || end + 4 > this.limits.maxHeadBytes) {
      if (data.length > this.limits.maxHeadBytes || (end >= 0 && end + 4 > this.limits.maxHeadBytes)) {
        this.#fail(garbage('head-too-large', `status line and header fields over ${this.limits.maxHeadBytes} bytes`));
        return bytes.length;
      }
      this.#held = Buffer.from(data);
      return bytes.length;
    }
    this.#held = null;
    this.#readHeadText(data.toString('latin1', 0, end));
    return offset + end + 4 - (held ? held.length : 0);
  }

  #readHeadText(text: string): void {
    const lines = text.split('\r\n');
    const status = STATUS_LINE.exec(lines[0]);
    if (status === null) {
      this.#fail(garbage('status-line', 'not a status line'));
      return;
    }
    if (lines.length - 1 > this.limits.maxHeaderFields) {
      this.#fail(garbage('too-many-fields', `more than ${this.limits.maxHeaderFields} header fields`));
      return;
    }
    const headers = new Map<string, string>();
    for (let i = 1; i < lines.length; i++) {
      const field = readField(lines[i]);
      if (field === null) {
        this.#fail(garbage('header-field', 'a malformed header field'));
        return;
      }
      const known = headers.get(field.name);
      headers.set(field.name, known === undefined ? field.value : `${known}, ${field.value}`);
    }
    const code = Number(status[2]);
    if (code < 200) {
      if (code === 101) {
        this.#fail(garbage('upgrade', 'switching protocols, which nobody asked for'));
      } else if (++this.#interim > this.limits.maxInterimResponses) {
        this.#fail(garbage('interim', 'too many interim (1xx) responses'));
      }
      return; // skipped: the final response follows
    }
    this.#status = code;
    this.#headers = headers;
    this.#frame(status[1] === '1', headers);
  }

  /** Persistence and body framing from the final response's head. */
  #frame(http11: boolean, headers: Map<string, string>): void {
    const connection = (headers.get('connection') ?? '').toLowerCase().split(',');
    const tokens = new Set(connection.map((token) => token.trim()));
    this.#reusable = http11 ? !tokens.has('close') : tokens.has('keep-alive');
    const keepAlive = headers.get('keep-alive');
    const timeout = keepAlive === undefined ? null : KEEP_ALIVE_TIMEOUT.exec(keepAlive);
    this.#keepAliveMs = timeout === null ? null : Number(timeout[1]) * 1000;

    const coding = headers.get('transfer-encoding');
    const length = headers.get('content-length');
    if (coding !== undefined) {
      if (length !== undefined) {
        this.#fail(garbage('conflicting-length', 'both Transfer-Encoding and Content-Length'));
      } else if (coding.trim().toLowerCase() !== 'chunked') {
        this.#fail(garbage('transfer-coding', 'a transfer coding other than chunked'));
      } else {
        this.#mode = 'chunk-size';
      }
      return;
    }
    if (this.#status === 204 || this.#status === 304) {
      this.#mode = 'finished';
      return;
    }
    if (length === undefined) {
      this.#mode = 'close';
      this.#reusable = false;
      return;
    }
    const values = length.split(',').map((value) => value.trim());
    if (!values.every((value) => /^\d{1,15}$/.test(value) && value === values[0])) {
      this.#fail(garbage('content-length', 'an invalid or conflicting Content-Length'));
      return;
    }
    const size = Number(values[0]);
    if (size > this.limits.maxBodyBytes) {
      this.#fail(tooLarge(size));
      return;
    }
    this.#remaining = size;
    this.#mode = size === 0 ? 'finished' : 'length';
  }

  /** A CRLF-ended line of the chunked framing (size, the CRLF after data, a trailer field). */
  #readLine(bytes: Buffer, offset: number): number {
    const lf = bytes.indexOf(LF, offset);
    const end = lf < 0 ? bytes.length : lf;
    const limit = this.#mode === 'trailers' ? this.limits.maxHeadBytes - this.#trailerBytes : MAX_CHUNK_LINE;
    if (this.#line.length + (end - offset) > limit) {
      this.#fail(garbage(this.#mode === 'trailers' ? 'head-too-large' : 'chunk-size', 'an overlong chunk line'));
      return bytes.length;
    }
    this.#line += bytes.toString('latin1', offset, end);
    if (lf < 0) return bytes.length;
    const raw = this.#line;
    this.#line = '';
    if (!raw.endsWith('\r') || raw.indexOf('\r') !== raw.length - 1) {
      this.#fail(garbage('line-ending', 'a line not ended by CRLF'));
      return lf + 1;
    }
    this.#onLine(raw.slice(0, -1), raw.length + 1);
    return lf + 1;
  }

  #onLine(line: string, size: number): void {
    if (this.#mode === 'chunk-end') {
      if (line !== '') this.#fail(garbage('chunk-data', 'chunk data longer than its size'));
      else this.#mode = 'chunk-size';
      return;
    }
    if (this.#mode === 'trailers') {
      this.#trailerBytes += size;
      if (line === '') this.#mode = 'finished';
      else if (readField(line) === null) this.#fail(garbage('trailer-field', 'a malformed trailer field'));
      return;
    }
    const match = CHUNK_SIZE_LINE.exec(line);
    if (match === null) {
      this.#fail(garbage('chunk-size', 'a malformed chunk size'));
      return;
    }
    const chunkSize = Number.parseInt(match[1], 16);
    if (this.#bodySize + chunkSize > this.limits.maxBodyBytes) {
      this.#fail(tooLarge(this.#bodySize + chunkSize));
      return;
    }
    this.#remaining = chunkSize;
    this.#mode = chunkSize === 0 ? 'trailers' : 'chunk-data';
  }
}

/** `name: value` with the value's surrounding white space dropped; null if malformed. */
function readField(line: string): { name: string; value: string } | null {
  const colon = line.indexOf(':');
  if (colon <= 0) return null;
  const name = line.slice(0, colon);
  const value = line.slice(colon + 1).replace(OWS_AROUND, '');
  if (!FIELD_NAME.test(name) || BAD_FIELD_VALUE.test(value)) return null;
  return { name: name.toLowerCase(), value };
}
