// The JSON bodies of the five interfaces, with strict readers for everything that crosses the
// wire. Both the device (portal-client) and the mock portal use these: one implementation.
import { PassgateError } from '../../firmware/core/errors.js';
import {
  CARD_TYPES,
  type IdCardIdentity,
  isCardHolderName,
  isIdNumberOfCardType,
  MAX_CARD_NAME_CODE_POINTS,
} from '../../firmware/core/id-number.js';
import {
  isMaskedIdNumber,
  isMaskedName,
  MAX_VACCINATION_DOSES,
  NAT_VALIDITY_HOURS,
  OPINIONS,
  type Verdict,
} from '../../firmware/core/verdict.js';
import { ALGORITHMS, PROTOCOL_VERSION } from './constants.js';
import { isDerSignature } from './signing.js';
import {
  isVenueName,
  MAX_BOUND_AT_MS,
  MAX_VENUE_CODE_LENGTH,
  MAX_VENUE_NAME_CHARS,
  VENUE_CATEGORIES,
  VENUE_CODE_PATTERN,
  type VenueCategory,
} from './venue.js';
import {
  HEX_32,
  HEX_64,
  HEX_ANY,
  type JsonObject,
  readBool,
  readEnum,
  readInt,
  readObject,
  readString,
} from './wire-reader.js';

export const PORTAL_ERROR_CODES = [
  'BAD_REQUEST', // the body does not follow the protocol
  'UNSUPPORTED_ALGORITHM', // authorize names an algorithm OID other than §1's
  'SESSION_KEY_INVALID', // authorize's sessionKey does not decrypt to a 32-byte secret with the portal key
  'BAD_SIGNATURE', // SM2 signature does not verify against the registered key
  'APP_CREDENTIALS_INVALID', // vendor appId/appMac wrong
  'DEVICE_UNKNOWN', // no public key registered for this device identity code
  'VENDOR_SUSPENDED',
  'VENUE_UNKNOWN',
  'ALREADY_BOUND', // bind on a bound device: use rebind
  'NOT_BOUND', // verification or rebind before bind
  'TOKEN_INVALID', // unknown or expired token: authorize again
  'BAD_MAC', // a sealed request that does not verify
  'REPLAY', // a nonce seen before
  'CLOCK_SKEW', // ts outside the window; error.portalTime tells the portal's clock
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export type PortalErrorCode = (typeof PORTAL_ERROR_CODES)[number];

export { VENUE_CATEGORIES, type VenueCategory } from './venue.js';

const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

// ---------------------------------------------------------------- authorize (plaintext, signed)

export type AlgorithmRole = keyof typeof ALGORITHMS;

export interface AuthorizeRequest {
  v: typeof PROTOCOL_VERSION;
  deviceId: string;
  appId: string;
  ts: number;
  nonce: string;
  /** SM2(C1C3C2) of the 32-byte session secret to the portal's public key, hex. */
  sessionKey: string;
  /** The algorithm OID of each role, as sent: supportsAlgorithms says whether they are §1's. */
  alg: Record<AlgorithmRole, string>;
  /** HMAC-SM3(appSecret, signing text), hex: proves the vendor's app credentials. */
  appMac: string;
  /** SM2 signature (DER, hex) of the signing text by the device key. */
  sig: string;
}

/** A dotted object identifier: arcs of decimal digits, at least two. */
const OID = /^[0-9]+(?:\.[0-9]+)+$/;

/** An SM2 signature field: DER (isDerSignature), lower-case hex. */
function readSignature(o: JsonObject, key: string): string {
  const sig = readString(o, key, { min: 16, max: 160, pattern: HEX_ANY });
  if (!isDerSignature(Buffer.from(sig, 'hex'))) {
    throw new PassgateError('protocol.malformed', `field ${key}: not a DER signature`, { field: key });
  }
  return sig;
}

/**
 * The shape of an authorize request; an `alg` of well-formed OIDs passes even when they are not
 * the protocol's (the portal then answers UNSUPPORTED_ALGORITHM, see supportsAlgorithms).
 */
export function readAuthorizeRequest(value: unknown): AuthorizeRequest {
  const o = readObject(value, 'authorize', [
    'v',
    'deviceId',
    'appId',
    'ts',
    'nonce',
    'sessionKey',
    'alg',
    'appMac',
    'sig',
  ]);
  readInt(o, 'v', PROTOCOL_VERSION, PROTOCOL_VERSION);
  const roles = Object.keys(ALGORITHMS) as AlgorithmRole[];
  const algObject = readObject(o.alg, 'alg', roles);
  const alg = {} as Record<AlgorithmRole, string>;
  for (const role of roles) alg[role] = readString(algObject, role, { min: 3, max: 64, pattern: OID });
  return {
    v: PROTOCOL_VERSION,
    deviceId: readString(o, 'deviceId', { max: 64, pattern: DEVICE_ID }),
    appId: readString(o, 'appId', { max: 64, pattern: DEVICE_ID }),
    ts: readInt(o, 'ts', 0, Number.MAX_SAFE_INTEGER),
    nonce: readString(o, 'nonce', { max: 32, pattern: HEX_32 }),
    sessionKey: readString(o, 'sessionKey', { min: 2 * (65 + 32 + 32), max: 2 * (65 + 32 + 32), pattern: HEX_ANY }),
    alg,
    appMac: readString(o, 'appMac', { max: 64, pattern: HEX_64 }),
    sig: readSignature(o, 'sig'),
  };
}

/** True when every role names the OID of PROTOCOL.md §1. */
export function supportsAlgorithms(alg: Record<AlgorithmRole, string>): boolean {
  return (Object.keys(ALGORITHMS) as AlgorithmRole[]).every((role) => alg[role] === ALGORITHMS[role]);
}

// ---------------------------------------------------------------- results

export interface VenueInfo {
  code: string;
  name: string;
  category: VenueCategory;
  natValidityHours: 24 | 48 | 72 | null;
  vaccinationDoses: number | null;
}

/** A venue the config can store whole (venue.ts holds the rules both follow). */
export function readVenueInfo(value: unknown): VenueInfo {
  const o = readObject(value, 'venue', ['code', 'name', 'category', 'natValidityHours', 'vaccinationDoses']);
  const name = readString(o, 'name', { min: 1, max: MAX_VENUE_NAME_CHARS });
  if (!isVenueName(name)) {
    throw new PassgateError('protocol.malformed', 'field name: not a venue name (one line)', { field: 'name' });
  }
  return {
    code: readString(o, 'code', { max: MAX_VENUE_CODE_LENGTH, pattern: VENUE_CODE_PATTERN }),
    name,
    category: readEnum(o, 'category', VENUE_CATEGORIES),
    natValidityHours: readEnum(o, 'natValidityHours', [...NAT_VALIDITY_HOURS, null]),
    vaccinationDoses: o.vaccinationDoses === null ? null : readInt(o, 'vaccinationDoses', 1, MAX_VACCINATION_DOSES),
  };
}

export interface AuthorizeResult {
  token: string;
  expiresAt: number; // portal clock, ms
  portalTime: number; // portal clock when the answer was made, ms
  binding: VenueInfo | null;
}

export function readAuthorizeResult(value: unknown): AuthorizeResult {
  const o = readObject(value, 'result', ['token', 'expiresAt', 'portalTime', 'binding']);
  return {
    token: readString(o, 'token', { max: 128, pattern: TOKEN }),
    expiresAt: readInt(o, 'expiresAt', 0, Number.MAX_SAFE_INTEGER),
    portalTime: readInt(o, 'portalTime', 0, Number.MAX_SAFE_INTEGER),
    binding: o.binding === null ? null : readVenueInfo(o.binding),
  };
}

export interface BindResult {
  venue: VenueInfo;
  boundAt: number;
}

export function readBindResult(value: unknown): BindResult {
  const o = readObject(value, 'result', ['venue', 'boundAt']);
  return { venue: readVenueInfo(o.venue), boundAt: readInt(o, 'boundAt', 0, MAX_BOUND_AT_MS) };
}

/**
 * Verdicts are re-checked here before anything is shown: an unmasked or oddly masked name or ID
 * number makes the whole response untrustworthy (`protocol.malformed`).
 */
export function readVerdict(value: unknown): Verdict {
  const o = readObject(value, 'verdict', ['opinion', 'maskedName', 'maskedId'], ['nat', 'vaccination']);
  const opinion = readEnum(o, 'opinion', OPINIONS);
  const maskedName = o.maskedName === null ? null : readString(o, 'maskedName', { min: 1, max: 40 });
  const maskedId = o.maskedId === null ? null : readString(o, 'maskedId', { min: 15, max: 18 });
  if (maskedName !== null && !isMaskedName(maskedName)) {
    throw new PassgateError('protocol.malformed', 'field maskedName: not masked per the rule', { field: 'maskedName' });
  }
  if (maskedId !== null && !isMaskedIdNumber(maskedId)) {
    throw new PassgateError('protocol.malformed', 'field maskedId: not masked per the rule', { field: 'maskedId' });
  }
  if ((maskedName === null) !== (maskedId === null)) {
    throw new PassgateError('protocol.malformed', 'fields maskedName/maskedId: both or neither', { field: 'maskedId' });
  }
  if (maskedName === null && (o.nat !== undefined || o.vaccination !== undefined)) {
    // A finding is about a person: a verdict that names none (SHOW_CODE) carries none.
    throw new PassgateError('protocol.malformed', 'fields nat/vaccination: findings without a person', {
      field: o.nat !== undefined ? 'nat' : 'vaccination',
    });
  }
  const verdict: Verdict = { opinion, maskedName, maskedId };
  if (o.nat !== undefined) {
    const nat = readObject(o.nat, 'nat', ['validityHours', 'valid']);
    verdict.nat = { validityHours: readEnum(nat, 'validityHours', NAT_VALIDITY_HOURS), valid: readBool(nat, 'valid') };
  }
  if (o.vaccination !== undefined) {
    const vac = readObject(o.vaccination, 'vaccination', ['dosesRequired', 'complete']);
    verdict.vaccination = { dosesRequired: readInt(vac, 'dosesRequired', 1, 10), complete: readBool(vac, 'complete') };
  }
  return verdict;
}

// ---------------------------------------------------------------- sealed bodies

export interface BindBody {
  venueCode: string;
  /** SM2 signature (DER, hex) of the bind/rebind signing text. */
  sig: string;
}

export function readBindBody(value: unknown): BindBody {
  const o = readObject(value, 'body', ['venueCode', 'sig']);
  return {
    venueCode: readString(o, 'venueCode', { max: MAX_VENUE_CODE_LENGTH, pattern: VENUE_CODE_PATTERN }),
    sig: readSignature(o, 'sig'),
  };
}

export interface PassCodeBody {
  code: string;
}

export function readPassCodeBody(value: unknown): PassCodeBody {
  const o = readObject(value, 'body', ['code']);
  return { code: readString(o, 'code', { min: 1, max: 4096 }) };
}

/** Interface 4's body is exactly what a card read yields. */
export type IdCardBody = IdCardIdentity;

/**
 * The name must be a card holder's name (isCardHolderName) and the ID number of a format of its
 * card type (firmware/core/id-number.ts), check digit included: a number that fails is no number
 * of that card and no person's.
 */
export function readIdCardBody(value: unknown): IdCardBody {
  const o = readObject(value, 'body', ['cardType', 'name', 'idNumber']);
  const cardType = readEnum(o, 'cardType', CARD_TYPES);
  const name = readString(o, 'name', { min: 1, max: MAX_CARD_NAME_CODE_POINTS });
  if (!isCardHolderName(name)) {
    throw new PassgateError('protocol.malformed', 'field name: not a card holder name', { field: 'name' });
  }
  const idNumber = readString(o, 'idNumber', { min: 15, max: 18, pattern: /^[0-9A-Z]+$/ });
  if (!isIdNumberOfCardType(cardType, idNumber)) {
    throw new PassgateError('protocol.malformed', 'field idNumber: not a number of this card type', {
      field: 'idNumber',
    });
  }
  return { cardType, name, idNumber };
}

/** Every sealed response body is one of these. */
export type ResponseBody<T> = { ok: true; result: T } | { ok: false; error: PortalErrorInfo };

export interface PortalErrorInfo {
  code: PortalErrorCode;
  /** The portal's clock, sent with CLOCK_SKEW and TOKEN_INVALID so the device can correct. */
  portalTime?: number;
}

function readErrorInfo(value: unknown): PortalErrorInfo {
  const o = readObject(value, 'error', ['code'], ['portalTime']);
  const info: PortalErrorInfo = { code: readEnum(o, 'code', PORTAL_ERROR_CODES) };
  if (o.portalTime !== undefined) info.portalTime = readInt(o, 'portalTime', 0, Number.MAX_SAFE_INTEGER);
  return info;
}

export function readResponseBody<T>(value: unknown, readResult: (v: unknown) => T): ResponseBody<T> {
  const o = readObject(value, 'response', ['ok'], ['result', 'error']);
  if (readBool(o, 'ok')) {
    readObject(o, 'response', ['ok', 'result']);
    return { ok: true, result: readResult(o.result) };
  }
  readObject(o, 'response', ['ok', 'error']);
  return { ok: false, error: readErrorInfo(o.error) };
}

/** A plaintext error: sent when the portal cannot seal (no session). Never trusted for a verdict. */
export interface PlainError {
  v: typeof PROTOCOL_VERSION;
  error: PortalErrorInfo;
}

export function readPlainError(value: unknown): PlainError {
  const o: JsonObject = readObject(value, 'plain', ['v', 'error']);
  readInt(o, 'v', PROTOCOL_VERSION, PROTOCOL_VERSION);
  return { v: PROTOCOL_VERSION, error: readErrorInfo(o.error) };
}
