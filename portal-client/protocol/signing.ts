// The texts the device signs with its SM2 key (SM3withSM2, Z over the default user ID).
// Lines joined by LF; numbers in decimal; binary values in lower-case hex.
import { SIGNATURE_DOMAIN } from './constants.js';

export function authorizeSigningText(f: {
  deviceId: string;
  appId: string;
  ts: number;
  nonce: string;
  sessionKey: string;
}): string {
  return [SIGNATURE_DOMAIN, 'authorize', f.deviceId, f.appId, String(f.ts), f.nonce, f.sessionKey].join('\n');
}

/** Bind and rebind sign the venue code together with the envelope's ts and nonce. */
export function bindSigningText(
  kind: 'bind' | 'rebind',
  f: { deviceId: string; venueCode: string; ts: number; nonce: string },
): string {
  return [SIGNATURE_DOMAIN, kind, f.deviceId, f.venueCode, String(f.ts), f.nonce].join('\n');
}
