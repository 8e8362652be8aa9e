// `serve --strict`: checks every request a device sends against PROTOCOL.md, beyond what the
// portal must refuse. A portal accepts any valid JSON (§3) and answers what it can; a device must
// send exactly what the document says, so a vendor's own device is checked here: the serialisation
// (compact, in the documented field order), the envelope's fields and encodings, the freshness of
// its clock, a nonce never reused, a MAC and body the portal can open, bodies of the interface's
// shape and a bind signature that verifies. Inspection changes nothing the portal answers.
import type { CryptoSuite } from '../../crypto/suite.js';
import { ALGORITHMS, PATHS, type PortalPath } from '../../protocol/constants.js';
import { authenticateRequest, readEnvelope, type SealedEnvelope } from '../../protocol/envelope.js';
import {
  readAuthorizeRequest,
  readBindBody,
  readIdCardBody,
  readPassCodeBody,
  supportsAlgorithms,
} from '../../protocol/messages.js';
import type { SessionKeys } from '../../protocol/session-keys.js';
import { bindSigningText } from '../../protocol/signing.js';
import { NonceMemory } from '../nonce-memory.js';
import { type DeviceDeviation, deviation, type StrictRule } from './device-deviations.js';

export interface InspectedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  raw: Buffer;
}

/** A live session of the portal, by its token: what the inspector needs to open a request. */
export type StrictSessionLookup = (token: string) => { keys: SessionKeys; publicKey: Buffer; deviceId: string } | null;

export interface StrictInspectorOptions {
  crypto: CryptoSuite;
  portalNow: () => number;
  /** |ts − portal clock| a device's sealed request may show (120 s). */
  windowMs: number;
  sessions: StrictSessionLookup;
  monotonicNow?: () => number;
}

/** The documented order of each object's fields (§3: a sender lists them in this order). */
const FIELD_ORDER = {
  authorize: ['v', 'deviceId', 'appId', 'ts', 'nonce', 'sessionKey', 'alg', 'appMac', 'sig'],
  alg: Object.keys(ALGORITHMS),
  envelope: ['v', 'ts', 'nonce', 'iv', 'ct', 'mac'],
} as const;

const BODY_FIELD_ORDER: Record<string, readonly string[]> = {
  [PATHS.bind]: ['venueCode', 'sig'],
  [PATHS.rebind]: ['venueCode', 'sig'],
  [PATHS.verifyPassCode]: ['code'],
  [PATHS.verifyIdCard]: ['cardType', 'name', 'idNumber'],
};

const BODY_READERS: Record<string, (value: unknown) => unknown> = {
  [PATHS.bind]: readBindBody,
  [PATHS.rebind]: readBindBody,
  [PATHS.verifyPassCode]: readPassCodeBody,
  [PATHS.verifyIdCard]: readIdCardBody,
};

const SEALED = new Set<string>([PATHS.bind, PATHS.rebind, PATHS.verifyPassCode, PATHS.verifyIdCard]);
const AUTHORIZATION = /^PG1 [A-Za-z0-9_-]{16,128}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The reader's message names the field and what is wrong with it, never the value. */
function reason(error: unknown): string {
  return error instanceof Error ? error.message : 'malformed';
}

export class StrictInspector {
  readonly #o: StrictInspectorOptions;
  readonly #nonces: NonceMemory;

  constructor(o: StrictInspectorOptions) {
    this.#o = o;
    this.#nonces = new NonceMemory(2 * o.windowMs, o.monotonicNow);
  }

  inspect(r: InspectedRequest): DeviceDeviation[] {
    const found: DeviceDeviation[] = [];
    const report = (rule: StrictRule, detail: string) => found.push(deviation(rule, r.path, detail));
    if (r.path !== PATHS.authorize && !SEALED.has(r.path)) {
      report('http.path', 'not one of the five interfaces');
      return found;
    }
    if (r.method !== 'POST') {
      report('http.method', `${r.method.slice(0, 10)} instead of POST`);
      return found; // no protocol request: its body, if any, means nothing
    }
    if (!/^application\/json\s*(;|$)/i.test(r.contentType ?? '')) report('http.content-type', 'not application/json');
    const text = r.raw.toString('utf8');
    const value = this.#json(text, 'request', report);
    if (value === undefined) return found;
    if (r.path === PATHS.authorize) this.#authorize(value, report);
    else this.#sealed(r, value, report);
    return found;
  }

  /** Parses `text` and checks §3's serialisation; undefined when it is no JSON. */
  #json(text: string, what: string, report: (rule: StrictRule, detail: string) => void): unknown {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      report('json.syntax', `the ${what} is not JSON`);
      return undefined;
    }
    if (JSON.stringify(value) !== text) {
      report('json.serialisation', `the ${what} is not compact JSON as §3 writes it (white space, escapes or numbers)`);
    }
    return value;
  }

  #order(value: unknown, order: readonly string[], what: string, report: (rule: StrictRule, d: string) => void) {
    if (!isObject(value)) return;
    const listed = Object.keys(value).filter((k) => order.includes(k));
    const expected = order.filter((k) => listed.includes(k));
    if (listed.join() !== expected.join()) report('json.field-order', `the ${what}'s fields are not in §3's order`);
  }

  #authorize(value: unknown, report: (rule: StrictRule, detail: string) => void): void {
    this.#order(value, FIELD_ORDER.authorize, 'authorize request', report);
    if (isObject(value)) this.#order(value.alg, FIELD_ORDER.alg, 'alg object', report);
    if (isObject(value) && typeof value.nonce === 'string' && !this.#nonces.remember(value.nonce)) {
      report('envelope.nonce-reused', 'the authorize nonce was sent before');
    }
    try {
      const request = readAuthorizeRequest(value);
      if (!supportsAlgorithms(request.alg)) report('authorize.algorithms', 'an alg OID is not the one of §1');
    } catch (error) {
      report('authorize.shape', reason(error));
    }
  }

  #sealed(r: InspectedRequest, value: unknown, report: (rule: StrictRule, detail: string) => void): void {
    const path = r.path as PortalPath;
    const authorization = r.authorization ?? '';
    if (!AUTHORIZATION.test(authorization)) report('sealed.authorization', 'not `PG1 <token>` with a token of §3');
    this.#order(value, FIELD_ORDER.envelope, 'envelope', report);
    let envelope: SealedEnvelope | null = null;
    try {
      envelope = readEnvelope(value);
    } catch (error) {
      report('envelope.shape', reason(error));
    }
    if (isObject(value) && typeof value.ct === 'string') this.#base64(value.ct, report);
    if (isObject(value) && typeof value.ts === 'number') {
      const skew = Math.abs(value.ts - this.#o.portalNow());
      if (skew > this.#o.windowMs)
        report('envelope.freshness', `ts is ${Math.round(skew / 1000)} s off the portal clock`);
    }
    if (isObject(value) && typeof value.nonce === 'string' && !this.#nonces.remember(value.nonce)) {
      report('envelope.nonce-reused', 'the nonce was sent before');
    }
    const token = authorization.slice('PG1 '.length);
    const session = this.#o.sessions(token);
    if (!session) return; // no live session: nothing more can be opened (the device re-authorizes)
    const { crypto } = this.#o;
    if (!authenticateRequest(crypto, session.keys, { path, token }, value)) {
      report('envelope.mac', 'the MAC does not verify under the session keys');
      return;
    }
    if (!envelope) return;
    let plaintext: Buffer;
    try {
      plaintext = crypto.sm4CbcDecrypt(
        session.keys.requestEncryption,
        Buffer.from(envelope.iv, 'hex'),
        Buffer.from(envelope.ct, 'base64'),
      );
    } catch {
      report('body.decrypt', 'the ciphertext does not decrypt (PKCS#7)');
      return;
    }
    try {
      const body = this.#json(plaintext.toString('utf8'), 'sealed body', report);
      if (body === undefined) return;
      this.#order(body, BODY_FIELD_ORDER[path], 'sealed body', report);
      try {
        BODY_READERS[path](body);
      } catch (error) {
        report('body.shape', reason(error));
        return;
      }
      if (path === PATHS.bind || path === PATHS.rebind) this.#bindSignature(path, session, envelope, body, report);
    } finally {
      plaintext.fill(0);
    }
  }

  #base64(ct: string, report: (rule: StrictRule, detail: string) => void): void {
    const bytes = Buffer.from(ct, 'base64');
    if (bytes.toString('base64') !== ct) report('envelope.base64', 'ct is not padded standard base64 on one line');
    else if (bytes.length % 16 !== 0) report('envelope.base64', 'ct is not whole 16-byte blocks');
  }

  #bindSignature(
    path: PortalPath,
    session: { publicKey: Buffer; deviceId: string },
    envelope: SealedEnvelope,
    body: unknown,
    report: (rule: StrictRule, detail: string) => void,
  ): void {
    const { venueCode, sig } = readBindBody(body);
    const kind = path === PATHS.bind ? 'bind' : 'rebind';
    const text = bindSigningText(kind, {
      deviceId: session.deviceId,
      venueCode,
      ts: envelope.ts,
      nonce: envelope.nonce,
    });
    if (!this.#o.crypto.sm2Verify(session.publicKey, Buffer.from(text, 'utf8'), Buffer.from(sig, 'hex'))) {
      report('bind.signature', 'sig does not verify over the signing text of §6 with the registered key');
    }
  }
}
