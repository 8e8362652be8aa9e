// What every check works with: the portal under test (over the kit's HTTP), the device it speaks
// as, and requests built from portal-client/protocol/ and portal-client/crypto/, the code a vendor
// adapts, so a run checks that code and the portal together. A check may change any field of a
// request before it is sent (the negative cases); the helpers here build the correct ones.
import type { CryptoSuite } from '../../crypto/suite.js';
import {
  ALGORITHMS,
  NONCE_BYTES,
  PATHS,
  type PortalPath,
  PROTOCOL_VERSION,
  TOKEN_SCHEME,
} from '../../protocol/constants.js';
import { openResponse, type SealedEnvelope, sealRequest } from '../../protocol/envelope.js';
import { PLAIN_ERROR_STATUS } from '../../protocol/http-status.js';
import {
  type AuthorizeResult,
  type PortalErrorCode,
  type ResponseBody,
  readAuthorizeResult,
  readPlainError,
  readResponseBody,
} from '../../protocol/messages.js';
import { deriveSessionKeys, type SessionKeys } from '../../protocol/session-keys.js';
import { authorizeSigningText, bindSigningText } from '../../protocol/signing.js';
import { CheckSkipped, expectThat, fail } from './check.js';
import type { KitHttp, RawAnswer } from './http-client.js';

/** A device registered at the portal, with its vendor's app credentials. */
export interface KitDevice {
  deviceId: string;
  privateKey: Buffer;
  appId: string;
  appSecret: string;
}

/** What the bundled mock's admin API lets the kit do; absent for a foreign portal. */
export interface KitAdmin {
  /** Registers a new device of the vendor (default: the vendor of the kit's device). */
  registerDevice(deviceId: string, publicKey: Buffer, vendorId?: string): Promise<void>;
  setVendorApproved(vendorId: string, approved: boolean): Promise<void>;
  expireTokens(): Promise<void>;
  /** A vendor the kit may suspend and approve, with its app credentials and status at the start. */
  spareVendor: { id: string; appId: string; appSecret: string; approved: boolean } | null;
}

export interface ConformanceSetup {
  crypto: CryptoSuite;
  http: KitHttp;
  portalPublicKey: Buffer;
  device: KitDevice;
  /** A venue the device may be bound to; null when the vendor named none (bind checks skip). */
  venueCode: string | null;
  admin: KitAdmin | null;
  now: () => number;
}

/** |ts − portal clock| a portal allows (PROTOCOL.md §5). */
export const TS_WINDOW_MS = 120_000;

export interface AuthorizeOverrides {
  device?: KitDevice;
  ts?: number;
  nonce?: string;
  sessionKey?: string;
  alg?: Record<string, string>;
  /** Signs with this key instead of the device's. */
  signingKey?: Buffer;
  sig?: string;
  appMac?: string;
  /** Fields dropped from the request. */
  drop?: readonly string[];
}

export interface BuiltAuthorize {
  request: Record<string, unknown>;
  keys: SessionKeys;
  nonce: string;
}

export interface KitSession {
  device: KitDevice;
  token: string;
  keys: SessionKeys;
  result: AuthorizeResult;
}

export class ConformanceContext {
  readonly crypto: CryptoSuite;
  readonly http: KitHttp;
  readonly device: KitDevice;
  readonly admin: KitAdmin | null;
  readonly portalPublicKey: Buffer;
  readonly #venueCode: string | null;
  readonly #now: () => number;
  /** Portal clock − ours, from the last authorize answer. */
  #offsetMs = 0;
  #session: KitSession | null = null;
  /** Whether the kit's device was bound when the run began; undefined until its first authorize. */
  #initiallyBound: boolean | undefined;
  #deviceBoundByKit = false;
  #deviceCount = 0;
  #boundSession: KitSession | null = null;
  readonly #runId: string;

  constructor(s: ConformanceSetup) {
    this.crypto = s.crypto;
    this.http = s.http;
    this.device = s.device;
    this.admin = s.admin;
    this.portalPublicKey = s.portalPublicKey;
    this.#venueCode = s.venueCode;
    this.#now = s.now;
    this.#runId = s.crypto.randomBytes(4).toString('hex');
  }

  portalNow(): number {
    return Math.round(this.#now() + this.#offsetMs);
  }

  nonce(): string {
    return this.crypto.randomBytes(NONCE_BYTES).toString('hex');
  }

  venue(): string {
    if (this.#venueCode === null) throw new CheckSkipped('needs a venue code (--venue CODE)');
    return this.#venueCode;
  }

  requireAdmin(): KitAdmin {
    if (!this.admin) throw new CheckSkipped("needs the bundled mock's admin API (--dir DIR)");
    return this.admin;
  }

  // ------------------------------------------------------------------ plaintext answers

  async postJson(path: string, value: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
    return this.http.send('POST', path, JSON.stringify(value), headers);
  }

  /** The answer must be the plaintext error `code`, with §8's HTTP status and a portalTime. */
  expectPlainError(answer: RawAnswer, code: PortalErrorCode, status: number | null = PLAIN_ERROR_STATUS[code]): void {
    let parsed: ReturnType<typeof readPlainError>;
    try {
      parsed = readPlainError(JSON.parse(answer.text));
    } catch {
      const got =
        answer.status === 200
          ? 'an answer of HTTP 200 (sealed or a result)'
          : `HTTP ${answer.status} without a protocol error`;
      fail(`expected a plaintext ${code} (HTTP ${status}), got ${got}`);
    }
    expectThat(parsed.error.code === code, `expected a plaintext ${code}, got ${parsed.error.code}`);
    expectThat(answer.status === status, `${code} came with HTTP ${answer.status}, §8 says ${status}`);
    expectThat(parsed.error.portalTime !== undefined, `the plaintext ${code} has no portalTime (§8)`);
  }

  // ------------------------------------------------------------------ authorize

  buildAuthorize(o: AuthorizeOverrides = {}): BuiltAuthorize {
    const device = o.device ?? this.device;
    const secret = this.crypto.randomBytes(32);
    const signed = {
      deviceId: device.deviceId,
      appId: device.appId,
      ts: o.ts ?? this.portalNow(),
      nonce: o.nonce ?? this.nonce(),
      sessionKey: o.sessionKey ?? this.crypto.sm2Encrypt(this.portalPublicKey, secret).toString('hex'),
    };
    const text = Buffer.from(authorizeSigningText(signed), 'utf8');
    const request: Record<string, unknown> = {
      v: PROTOCOL_VERSION,
      ...signed,
      alg: o.alg ?? { ...ALGORITHMS },
      appMac: o.appMac ?? this.crypto.hmacSm3(Buffer.from(device.appSecret, 'utf8'), text).toString('hex'),
      sig: o.sig ?? this.crypto.sm2Sign(o.signingKey ?? device.privateKey, text).toString('hex'),
    };
    for (const field of o.drop ?? []) delete request[field];
    const keys = deriveSessionKeys(this.crypto, secret);
    secret.fill(0);
    return { request, keys, nonce: signed.nonce };
  }

  /** Opens an authorize answer: sealed under the request's keys and bound to its nonce (§4). */
  openAuthorizeAnswer(built: BuiltAuthorize, answer: RawAnswer): AuthorizeResult {
    if (answer.status !== 200) {
      let code = 'no protocol error';
      try {
        code = readPlainError(JSON.parse(answer.text)).error.code;
      } catch {}
      fail(`authorize refused: HTTP ${answer.status}, ${code}`);
    }
    const body = this.openSealed(PATHS.authorize, built.keys, built.nonce, answer, { checkWindow: false });
    if (!body.ok) fail(`authorize answered a sealed ${body.error.code}`);
    let result: AuthorizeResult;
    try {
      result = readAuthorizeResult(body.result);
    } catch (error) {
      fail(`the authorize result breaks §4's shape (${(error as Error).message})`);
    }
    this.#offsetMs = result.portalTime - this.#now();
    return result;
  }

  async authorize(device: KitDevice = this.device): Promise<KitSession> {
    const built = this.buildAuthorize({ device });
    const result = this.openAuthorizeAnswer(built, await this.postJson(PATHS.authorize, built.request));
    if (device === this.device && this.#initiallyBound === undefined) this.#initiallyBound = result.binding !== null;
    return { device, token: result.token, keys: built.keys, result };
  }

  /** A session of the kit's device, authorized once and reused. */
  async session(): Promise<KitSession> {
    this.#session ??= await this.authorize();
    return this.#session;
  }

  forgetSession(): void {
    this.#session = null;
  }

  // ------------------------------------------------------------------ sealed calls

  seal(s: KitSession, path: PortalPath, body: unknown, p: { ts?: number; nonce?: string } = {}) {
    const nonce = p.nonce ?? this.nonce();
    const envelope: SealedEnvelope = sealRequest(this.crypto, s.keys, { path, token: s.token }, body, {
      ts: p.ts ?? this.portalNow(),
      nonce,
      iv: this.crypto.randomBytes(16),
    });
    return { nonce, envelope };
  }

  async postSealed(s: KitSession, path: PortalPath, envelope: unknown): Promise<RawAnswer> {
    return this.postJson(path, envelope, { authorization: `${TOKEN_SCHEME} ${s.token}` });
  }

  /**
   * A sealed answer (HTTP 200) opened under the response keys, bound to the request's nonce:
   * its MAC must verify, its body be §5's, an error carry portalTime, and (unless told otherwise)
   * its ts lie within the window.
   */
  openSealed(
    path: PortalPath,
    keys: SessionKeys,
    requestNonce: string,
    answer: RawAnswer,
    o: { checkWindow?: boolean } = {},
  ): ResponseBody<unknown> {
    if (answer.status !== 200) {
      let what = 'no protocol error';
      try {
        what = `plaintext ${readPlainError(JSON.parse(answer.text)).error.code}`;
      } catch {}
      fail(`expected a sealed answer (HTTP 200), got HTTP ${answer.status}, ${what}`);
    }
    let opened: { ts: number; body: unknown };
    try {
      opened = openResponse(this.crypto, keys, { path, requestNonce }, JSON.parse(answer.text));
    } catch (error) {
      fail(`the sealed answer does not open under the response keys (${(error as Error).message})`);
    }
    let body: ResponseBody<unknown>;
    try {
      body = readResponseBody(opened.body, (v) => v);
    } catch (error) {
      fail(`the sealed answer's body breaks §5's shape (${(error as Error).message})`);
    }
    if (!body.ok)
      expectThat(body.error.portalTime !== undefined, `the sealed ${body.error.code} has no portalTime (§8)`);
    const isSkewError = !body.ok && body.error.code === 'CLOCK_SKEW';
    if (o.checkWindow !== false && !isSkewError) {
      const skew = Math.abs(opened.ts - this.portalNow());
      expectThat(skew <= TS_WINDOW_MS, `the sealed answer's ts is ${skew} ms from the portal's clock (§5 window)`);
    }
    return body;
  }

  /** Seals `body` for `path`, posts it and opens the sealed answer. */
  async call(s: KitSession, path: PortalPath, body: unknown): Promise<ResponseBody<unknown>> {
    const { nonce, envelope } = this.seal(s, path, body);
    return this.openSealed(path, s.keys, nonce, await this.postSealed(s, path, envelope));
  }

  expectSealedError(body: ResponseBody<unknown>, code: PortalErrorCode): void {
    expectThat(!body.ok, `expected a sealed ${code}, got a result`);
    if (!body.ok) expectThat(body.error.code === code, `expected a sealed ${code}, got ${body.error.code}`);
  }

  expectResult(body: ResponseBody<unknown>, what: string): unknown {
    if (!body.ok) fail(`${what}: expected a result, got a sealed ${body.error.code}`);
    return body.result;
  }

  // ------------------------------------------------------------------ devices in a known state

  /** A newly registered device (admin API only), of the kit device's vendor or `vendorId`. */
  async freshDevice(vendor?: { id: string; appId: string; appSecret: string }): Promise<KitDevice> {
    const admin = this.requireAdmin();
    const { privateKey, publicKey } = this.crypto.sm2GenerateKeyPair();
    const deviceId = `PGCONF-${this.#runId}-${++this.#deviceCount}`;
    await admin.registerDevice(deviceId, publicKey, vendor?.id);
    return {
      deviceId,
      privateKey,
      appId: vendor?.appId ?? this.device.appId,
      appSecret: vendor?.appSecret ?? this.device.appSecret,
    };
  }

  /** A device known to be unbound: a fresh one, or the kit's own while it is. */
  async unboundDevice(): Promise<KitDevice> {
    if (this.admin) return this.freshDevice();
    await this.session();
    if (this.#initiallyBound || this.#deviceBoundByKit) {
      throw new CheckSkipped('needs an unbound device (the given device is bound; or give --dir)');
    }
    return this.device;
  }

  /**
   * A session of a device bound to the venue: a fresh device the kit binds (admin API), or the
   * kit's own, which the kit binds first when it is unbound.
   */
  async boundSession(): Promise<KitSession> {
    if (this.#boundSession) return this.#boundSession;
    const venueCode = this.venue();
    const s = this.admin ? await this.authorize(await this.freshDevice()) : await this.session();
    if (this.admin || (s.result.binding === null && !this.#deviceBoundByKit)) {
      const body = await this.bindCall(s, 'bind', venueCode);
      if (!body.ok) fail(`binding a device to ${venueCode} for this check failed: ${body.error.code}`);
      this.noteBound(s.device);
    }
    this.#boundSession = s;
    return s;
  }

  /**
   * Bind or rebind `venueCode` (§6), the body signed over the envelope's ts and nonce; a check
   * may sign another venue's text, sign with another key, or send its own `sig`.
   */
  async bindCall(
    s: KitSession,
    kind: 'bind' | 'rebind',
    venueCode: string,
    o: { signedVenueCode?: string; signingKey?: Buffer; sig?: string } = {},
  ): Promise<ResponseBody<unknown>> {
    const stamp = { ts: this.portalNow(), nonce: this.nonce() };
    const signed = { deviceId: s.device.deviceId, venueCode: o.signedVenueCode ?? venueCode, ...stamp };
    const text = Buffer.from(bindSigningText(kind, signed), 'utf8');
    const sig = o.sig ?? this.crypto.sm2Sign(o.signingKey ?? s.device.privateKey, text).toString('hex');
    const path = kind === 'bind' ? PATHS.bind : PATHS.rebind;
    const { envelope } = this.seal(s, path, { venueCode, sig }, stamp);
    return this.openSealed(path, s.keys, stamp.nonce, await this.postSealed(s, path, envelope));
  }

  /** Records that the kit bound `device` (the kit's own then counts as bound). */
  noteBound(device: KitDevice): void {
    if (device === this.device) this.#deviceBoundByKit = true;
  }
}
