// Every wire constant of reference protocol v1 (PROTOCOL.md). A vendor adapting passgate to the
// portal's own protocol file changes this folder, and nothing outside it.

export const PROTOCOL_VERSION = 1;

/**
 * The edition of PROTOCOL.md that this folder, the client and the mock portal implement: its
 * "Document version" line says the same (the vector test checks). Raised with every change to
 * what the document requires; the wire version above changes only with an incompatible wire.
 */
export const PROTOCOL_DOCUMENT_VERSION = '1.1';

export const PATHS = {
  authorize: '/passgate/v1/authorize',
  bind: '/passgate/v1/bind',
  rebind: '/passgate/v1/rebind',
  verifyPassCode: '/passgate/v1/verify/pass-code',
  verifyIdCard: '/passgate/v1/verify/id-card',
} as const;
export type PortalPath = (typeof PATHS)[keyof typeof PATHS];

/** Scheme of the Authorization header carrying the session token. */
export const TOKEN_SCHEME = 'PG1';

/** Algorithm identifiers per GB/T 33560, sent in authorize so a portal can refuse others. */
export const ALGORITHMS = {
  signature: '1.2.156.10197.1.501', // SM3withSM2
  keyEncryption: '1.2.156.10197.1.301.3', // SM2 public-key encryption
  bodyEncryption: '1.2.156.10197.1.104.2', // SM4-CBC
  mac: '1.2.156.10197.1.401.2', // SM3 keyed hash (HMAC-SM3)
  hash: '1.2.156.10197.1.401', // SM3
} as const;

/** Labels of the key derivation: each key is HMAC-SM3(sessionSecret, label). */
export const KEY_LABELS = {
  requestEncryption: 'passgate/v1 request enc',
  requestMac: 'passgate/v1 request mac',
  responseEncryption: 'passgate/v1 response enc',
  responseMac: 'passgate/v1 response mac',
} as const;

/** First line of the text each MAC or signature covers: domain separation. */
export const MAC_DOMAIN = { request: 'PG1-REQ', response: 'PG1-RES' } as const;
export const SIGNATURE_DOMAIN = 'passgate/v1';

export const SESSION_SECRET_BYTES = 32;
export const NONCE_BYTES = 16;
export const IV_BYTES = 16;

/** Largest body either side accepts: a verification is well under 4 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;
