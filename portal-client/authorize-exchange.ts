// Interface 1, authorize: the one exchange that uses SM2 (a signature by the device key and the
// session secret encrypted to the portal key). Its answer is sealed under keys derived from that
// secret, which proves the portal holds its private key. Runs off the scan path.
import { isPassgateError, PassgateError } from '../firmware/core/errors.js';
import type { CryptoSuite } from './crypto/suite.js';
import { ClockSkew, plainError, portalError, unauthenticatedResponse } from './portal-errors.js';
import { ALGORITHMS, NONCE_BYTES, PATHS, PROTOCOL_VERSION, SESSION_SECRET_BYTES } from './protocol/constants.js';
import { openResponse } from './protocol/envelope.js';
import {
  type AuthorizeRequest,
  type AuthorizeResult,
  readAuthorizeResult,
  readResponseBody,
  type VenueInfo,
} from './protocol/messages.js';
import { deriveSessionKeys, type SessionKeys } from './protocol/session-keys.js';
import { authorizeSigningText } from './protocol/signing.js';
import { parseJson } from './protocol/wire-reader.js';
import type { PortalTransport } from './transport.js';

export interface DeviceIdentity {
  deviceId: string;
  privateKey: Buffer;
  appId: string;
  appSecret: string;
}

export interface Session {
  token: string;
  keys: SessionKeys;
  expiresAtPortal: number;
}

export interface AuthorizeExchange {
  crypto: CryptoSuite;
  identity: DeviceIdentity;
  portalPublicKey: Buffer;
  transport: PortalTransport;
  deadlineMs: number;
  /** Wall clock, ms since the epoch. */
  now: () => number;
  /** The portal's clock as the client estimates it. */
  portalNow: () => number;
  /** Called with the portal clock's offset from ours whenever an answer reveals it. */
  onClockOffset: (offsetMs: number) => void;
}

export interface Authorized {
  session: Session;
  result: AuthorizeResult;
  binding: VenueInfo | null;
}

/**
 * One authorize request and its verified answer. Rejects with ClockSkew after correcting the
 * offset from a CLOCK_SKEW answer (the caller tries once more), or with a typed PassgateError.
 */
export async function authorizeOnce(x: AuthorizeExchange): Promise<Authorized> {
  const { crypto, identity } = x;
  const secret = crypto.randomBytes(SESSION_SECRET_BYTES);
  const sessionKey = crypto.sm2Encrypt(x.portalPublicKey, secret).toString('hex');
  const ts = x.portalNow();
  const nonce = crypto.randomBytes(NONCE_BYTES).toString('hex');
  const signed = { deviceId: identity.deviceId, appId: identity.appId, ts, nonce, sessionKey };
  const text = Buffer.from(authorizeSigningText(signed), 'utf8');
  const request: AuthorizeRequest = {
    v: PROTOCOL_VERSION,
    ...signed,
    alg: ALGORITHMS,
    appMac: crypto.hmacSm3(Buffer.from(identity.appSecret, 'utf8'), text).toString('hex'),
    sig: crypto.sm2Sign(identity.privateKey, text).toString('hex'),
  };
  const keys = deriveSessionKeys(crypto, secret);
  secret.fill(0);
  const sentAt = x.now();
  const answer = await x.transport.post(PATHS.authorize, {}, JSON.stringify(request), x.deadlineMs);
  const receivedAt = x.now();
  if (answer.status !== 200) {
    const info = plainError(answer.status, answer.text);
    if (info.code === 'CLOCK_SKEW' && info.portalTime !== undefined) {
      x.onClockOffset(info.portalTime - (sentAt + receivedAt) / 2);
      throw new ClockSkew();
    }
    throw portalError(info, answer.status);
  }
  let result: AuthorizeResult;
  try {
    const opened = openResponse(crypto, keys, { path: PATHS.authorize, requestNonce: nonce }, parseJson(answer.text));
    const body = readResponseBody(opened.body, readAuthorizeResult);
    if (!body.ok) throw portalError(body.error, 200, true);
    result = body.result;
  } catch (error) {
    if (isPassgateError(error) && error.area === 'portal') throw error;
    if (isPassgateError(error, 'protocol.unauthenticated'))
      throw unauthenticatedResponse(PATHS.authorize, 'mac', error);
    throw new PassgateError(
      'portal.bad-response',
      'authorize response does not follow the protocol',
      {},
      { cause: error },
    );
  }
  x.onClockOffset(result.portalTime - (sentAt + receivedAt) / 2);
  return { session: { token: result.token, keys, expiresAtPortal: result.expiresAt }, result, binding: result.binding };
}
