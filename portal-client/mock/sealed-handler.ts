// The sealed interfaces (bind, rebind, verify) on the mock portal: the checks of PROTOCOL.md §5
// in their order. Only what comes before the MAC is answered in plaintext (no session, a MAC that
// does not verify); everything after is sealed, so a request from the session's holder always
// gets an authenticated answer, BAD_REQUEST included.
import { PATHS, type PortalPath, TOKEN_SCHEME } from '../protocol/constants.js';
import { authenticateRequest, decryptRequestBody, readEnvelope, type SealedEnvelope } from '../protocol/envelope.js';
import {
  type PortalErrorCode,
  type ResponseBody,
  readBindBody,
  readIdCardBody,
  readPassCodeBody,
} from '../protocol/messages.js';
import { bindSigningText } from '../protocol/signing.js';
import { type PortalAnswer, type PortalContext, plainAnswer, sealedError } from './portal-context.js';
import type { RegisteredDevice } from './portal-domain.js';

export const SEALED_PATHS: ReadonlySet<string> = new Set<PortalPath>([
  PATHS.bind,
  PATHS.rebind,
  PATHS.verifyPassCode,
  PATHS.verifyIdCard,
]);

export interface SealedRequest {
  path: PortalPath;
  /** The Authorization header: `PG1 <token>`. */
  authorization: string;
  /** The request body, parsed as JSON. */
  body: unknown;
  /** The sealedError fault: answer this error once the request passed the replay check. */
  injectedError: PortalErrorCode | null;
}

export function answerSealed(c: PortalContext, r: SealedRequest): PortalAnswer {
  const { crypto, domain } = c;
  const scheme = `${TOKEN_SCHEME} `;
  const token = r.authorization.startsWith(scheme) ? r.authorization.slice(scheme.length) : '';
  const session = c.sessions.find(token, c.portalNow());
  if (!session) return plainAnswer('TOKEN_INVALID');
  const device = domain.device(session.deviceId);
  if (device && !device.publicKey.equals(session.publicKey)) {
    // The device was registered again with another key: sessions of the old key end here.
    c.sessions.end(token);
    return plainAnswer('TOKEN_INVALID');
  }
  const authenticated = authenticateRequest(crypto, session.keys, { path: r.path, token }, r.body);
  if (!authenticated) return plainAnswer('BAD_MAC');
  const fail = (code: PortalErrorCode) => sealedError(c, session.keys, authenticated.nonce, code);
  // With the test-only breach plain-bad-mac, what is wrong after the MAC gets a plaintext BAD_MAC
  // (as the mock of document 1.0 answered it).
  const malformed = () => (c.breaches.has('plain-bad-mac') ? plainAnswer('BAD_MAC') : fail('BAD_REQUEST'));

  let envelope: SealedEnvelope;
  let body: unknown;
  try {
    envelope = readEnvelope(authenticated.value);
  } catch {
    return malformed();
  }
  const skewed = Math.abs(envelope.ts - c.portalNow()) > c.replayWindowMs;
  if (skewed && !c.breaches.has('no-sealed-clock-check')) return fail('CLOCK_SKEW');
  if (!c.nonces.remember(envelope.nonce) && !c.breaches.has('accept-replay')) return fail('REPLAY');
  if (r.injectedError !== null) return fail(r.injectedError);
  try {
    body = decryptRequestBody(crypto, session.keys, envelope);
  } catch {
    return malformed();
  }
  if (!device) return fail('DEVICE_UNKNOWN');
  if (!device.vendor.approved) return fail('VENDOR_SUSPENDED');
  let answer: ResponseBody<unknown>;
  try {
    answer = answerInterface(c, r.path, device, envelope, body);
  } catch {
    return fail('BAD_REQUEST'); // a body reader refused the body
  }
  if (!answer.ok) return fail(answer.error.code);
  return { kind: 'sealed', keys: session.keys, requestNonce: authenticated.nonce, body: answer };
}

/** One interface's rules, for a registered device of an approved vendor. Throws on a malformed body. */
function answerInterface(
  c: PortalContext,
  path: PortalPath,
  device: RegisteredDevice,
  envelope: SealedEnvelope,
  body: unknown,
): ResponseBody<unknown> {
  const { domain, crypto } = c;
  const refuse = (code: PortalErrorCode): ResponseBody<unknown> => ({ ok: false, error: { code } });
  const { deviceId } = device;
  if (path === PATHS.bind || path === PATHS.rebind) {
    const kind = path === PATHS.bind ? 'bind' : 'rebind';
    const b = readBindBody(body);
    const signed = { deviceId, venueCode: b.venueCode, ts: envelope.ts, nonce: envelope.nonce };
    const text = Buffer.from(bindSigningText(kind, signed), 'utf8');
    if (!crypto.sm2Verify(device.publicKey, text, Buffer.from(b.sig, 'hex'))) return refuse('BAD_SIGNATURE');
    const result = kind === 'bind' ? domain.bind(deviceId, b.venueCode) : domain.rebind(deviceId, b.venueCode);
    return result.ok ? { ok: true, result: result.value } : refuse(result.error);
  }
  // Verification: the body first (a malformed one is BAD_REQUEST whether bound or not), then the binding.
  const passCode = path === PATHS.verifyPassCode ? readPassCodeBody(body) : null;
  const card = path === PATHS.verifyIdCard ? readIdCardBody(body) : null;
  const venue = domain.binding(deviceId);
  if (!venue) return refuse('NOT_BOUND');
  if (passCode) return { ok: true, result: domain.verifyPassCode(venue, passCode.code) };
  if (!card) return refuse('BAD_REQUEST');
  const verdict = domain.verifyIdCard(venue, card);
  return verdict.ok ? { ok: true, result: verdict.value } : refuse(verdict.error);
}
