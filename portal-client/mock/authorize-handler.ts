// Interface 2, authorize, on the mock portal: the checks of PROTOCOL.md §4 in their order, each
// refusal a plaintext error (there is no session to seal with yet), and on success a new session
// whose answer is sealed under the keys of the device's session secret.
import { SESSION_SECRET_BYTES } from '../protocol/constants.js';
import { type AuthorizeRequest, readAuthorizeRequest, supportsAlgorithms } from '../protocol/messages.js';
import { deriveSessionKeys } from '../protocol/session-keys.js';
import { authorizeSigningText } from '../protocol/signing.js';
import { type PortalAnswer, type PortalContext, plainAnswer } from './portal-context.js';

export function answerAuthorize(c: PortalContext, body: unknown): PortalAnswer {
  const { crypto, domain } = c;
  let request: AuthorizeRequest;
  try {
    request = readAuthorizeRequest(body);
  } catch {
    return plainAnswer('BAD_REQUEST');
  }
  if (!supportsAlgorithms(request.alg)) return plainAnswer('UNSUPPORTED_ALGORITHM');
  const now = c.portalNow();
  if (Math.abs(request.ts - now) > c.replayWindowMs) return plainAnswer('CLOCK_SKEW');
  const device = domain.device(request.deviceId);
  if (!device) return plainAnswer('DEVICE_UNKNOWN');
  if (!device.vendor.approved) return plainAnswer('VENDOR_SUSPENDED');
  const text = Buffer.from(authorizeSigningText(request), 'utf8');
  const appMac = crypto.hmacSm3(Buffer.from(device.vendor.appSecret, 'utf8'), text);
  if (request.appId !== device.vendor.appId || !crypto.equalMac(appMac, Buffer.from(request.appMac, 'hex'))) {
    return plainAnswer('APP_CREDENTIALS_INVALID');
  }
  if (!crypto.sm2Verify(device.publicKey, text, Buffer.from(request.sig, 'hex'))) return plainAnswer('BAD_SIGNATURE');
  if (!c.nonces.remember(request.nonce) && !c.breaches.has('accept-replay')) return plainAnswer('REPLAY');
  let secret: Buffer;
  try {
    secret = crypto.sm2Decrypt(c.portalPrivateKey, Buffer.from(request.sessionKey, 'hex'));
  } catch {
    return plainAnswer('SESSION_KEY_INVALID');
  }
  if (secret.length !== SESSION_SECRET_BYTES) {
    secret.fill(0);
    return plainAnswer('SESSION_KEY_INVALID');
  }
  const keys = deriveSessionKeys(crypto, secret);
  secret.fill(0);
  const token = crypto.randomBytes(24).toString('base64url');
  const expiresAt = now + c.tokenTtlMs;
  c.sessions.open(token, { deviceId: request.deviceId, publicKey: device.publicKey, keys, expiresAt }, now);
  return {
    kind: 'sealed',
    keys,
    requestNonce: request.nonce,
    body: { ok: true, result: { token, expiresAt, portalTime: now, binding: domain.binding(request.deviceId) } },
  };
}
