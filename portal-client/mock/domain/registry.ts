// The mock portal's registries (standard clause 9): vendors, their devices, venues (clause 5) and
// the binding of each device to one venue. Pure and in memory; the clock is injected.
// Business failures are results, never exceptions: the server maps `error` to its wire code.
//
// What this module does NOT do: check signatures. `rebind` (interface 5) requires the device to
// prove it holds its registered SM2 key; the server verifies that signature against
// `getDevice(id).publicKey` before it calls `rebind` (and answers BAD_SIGNATURE itself).
import type { NatValidityHours } from '../../../firmware/core/verdict.js';
import { MAX_VACCINATION_DOSES, NAT_VALIDITY_HOURS } from '../../../firmware/core/verdict.js';
import { isValidSm2Point } from '../../crypto/sm2-curve.js';

// The wire's error codes and venue categories are the protocol module's: one list for both sides.
import {
  PORTAL_ERROR_CODES,
  type PortalErrorCode,
  VENUE_CATEGORIES,
  type VenueCategory,
} from '../../protocol/messages.js';

export { PORTAL_ERROR_CODES, type PortalErrorCode, VENUE_CATEGORIES, type VenueCategory };

export function isPortalErrorCode(value: unknown): value is PortalErrorCode {
  return typeof value === 'string' && (PORTAL_ERROR_CODES as readonly string[]).includes(value);
}

/** `reason`: for the operator (the admin API, the CLI); names ids and codes, never personal data. */
export type PortalFailure = { ok: false; error: PortalErrorCode; reason?: string };
export type PortalResult<T extends object = object> = ({ ok: true } & T) | PortalFailure;

export const VENDOR_STATUSES = ['approved', 'suspended'] as const;
export type VendorStatus = (typeof VENDOR_STATUSES)[number];

export interface Vendor {
  id: string;
  name: string;
  /** Issued to the vendor with the test account (clause 9); identifies the app in authorize. */
  appId: string;
  /** Shared secret of the app; compare with `appCredentialsValid`, never with `===`. */
  appSecret: string;
  status: VendorStatus;
}

export interface Device {
  /** 设备身份码. */
  deviceId: string;
  /** SM2 public key, 65 bytes, 04 || X || Y. */
  publicKey: Buffer;
  vendorId: string;
}

export interface VenuePresets {
  /** 7.3.2: NAT result must be at most this old; null = the venue asks nothing about NAT. */
  natValidityHours: NatValidityHours | null;
  /** 7.3.3: doses that count as complete; null = the venue asks nothing about vaccination. */
  vaccinationDoses: number | null;
}

export interface Venue extends VenuePresets {
  /** 场所码. */
  venueCode: string;
  name: string;
  category: VenueCategory;
}

export interface Binding {
  deviceId: string;
  venueCode: string;
  /** ms since epoch, from the injected clock. */
  boundAt: number;
}

/** Everything the registry holds, as plain data (the state file serialises this). */
export interface RegistrySnapshot {
  vendors: Vendor[];
  devices: Device[];
  venues: Venue[];
  bindings: Binding[];
}

export interface RegistryOptions {
  now: () => number;
}

/** Ids, names and codes: 1–64 printable ASCII characters, no spaces (they go into URLs and logs). */
const IDENTIFIER = /^[\x21-\x7e]{1,64}$/;
const MAX_NAME_CHARS = 64;
const SM2_PUBLIC_KEY_BYTES = 65;

export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && IDENTIFIER.test(value);
}

function isDisplayName(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const chars = [...value];
  return chars.length >= 1 && chars.length <= MAX_NAME_CHARS && !/[\x00-\x1f\x7f]/.test(value);
}

/** An uncompressed SM2 public key (65 bytes, 04 ‖ X ‖ Y) whose point lies on the curve. */
export function isSm2PublicKey(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === SM2_PUBLIC_KEY_BYTES && isValidSm2Point(value);
}

export function isVenuePresets(value: { natValidityHours: unknown; vaccinationDoses: unknown }): boolean {
  const nat = value.natValidityHours;
  const doses = value.vaccinationDoses;
  const natOk = nat === null || (NAT_VALIDITY_HOURS as readonly unknown[]).includes(nat);
  const dosesOk =
    doses === null ||
    (typeof doses === 'number' && Number.isInteger(doses) && doses >= 1 && doses <= MAX_VACCINATION_DOSES);
  return natOk && dosesOk;
}

const fail = (error: PortalErrorCode, reason?: string): PortalFailure =>
  reason === undefined ? { ok: false, error } : { ok: false, error, reason };

/** Equal-time string comparison: the time taken depends on the lengths only. */
function equalStrings(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export class PortalRegistry {
  readonly #now: () => number;
  readonly #vendors = new Map<string, Vendor>();
  readonly #devices = new Map<string, Device>();
  readonly #venues = new Map<string, Venue>();
  readonly #bindings = new Map<string, Binding>();

  constructor(options: RegistryOptions, snapshot?: RegistrySnapshot) {
    this.#now = options.now;
    if (snapshot) this.#restore(snapshot);
  }

  // ---- vendors -------------------------------------------------------------------------------

  /**
   * A new vendor, status 'approved' unless given. BAD_REQUEST for an invalid field, or when the id
   * or the appId is taken (app ids identify the vendor in authorize, so they are unique too).
   */
  registerVendor(input: {
    id: string;
    name: string;
    appId: string;
    appSecret: string;
    status?: VendorStatus;
  }): PortalResult<{ vendor: Vendor }> {
    const status = input.status ?? 'approved';
    if (!isIdentifier(input.id) || !isDisplayName(input.name) || !isIdentifier(input.appId)) return fail('BAD_REQUEST');
    if (!isIdentifier(input.appSecret) || input.appSecret.length < 16) return fail('BAD_REQUEST');
    if (!(VENDOR_STATUSES as readonly string[]).includes(status)) return fail('BAD_REQUEST');
    if (this.#vendors.has(input.id)) return fail('BAD_REQUEST', `vendor ${input.id} exists already`);
    if (this.vendorByAppId(input.appId)) return fail('BAD_REQUEST', `app ID ${input.appId} is taken`);
    const vendor: Vendor = { id: input.id, name: input.name, appId: input.appId, appSecret: input.appSecret, status };
    this.#vendors.set(vendor.id, vendor);
    return { ok: true, vendor: { ...vendor } };
  }

  approveVendor(vendorId: string): PortalResult<{ vendor: Vendor }> {
    return this.#setVendorStatus(vendorId, 'approved');
  }

  /** Suspension stops the vendor's devices from binding and verifying and its app from authorizing. */
  suspendVendor(vendorId: string): PortalResult<{ vendor: Vendor }> {
    return this.#setVendorStatus(vendorId, 'suspended');
  }

  #setVendorStatus(vendorId: string, status: VendorStatus): PortalResult<{ vendor: Vendor }> {
    const vendor = this.#vendors.get(vendorId);
    if (!vendor) return fail('BAD_REQUEST', `unknown vendor ${vendorId}`);
    vendor.status = status;
    return { ok: true, vendor: { ...vendor } };
  }

  getVendor(vendorId: string): Vendor | undefined {
    const vendor = this.#vendors.get(vendorId);
    return vendor ? { ...vendor } : undefined;
  }

  vendorByAppId(appId: string): Vendor | undefined {
    for (const vendor of this.#vendors.values()) if (vendor.appId === appId) return { ...vendor };
    return undefined;
  }

  /**
   * Interface 2 (authorize), the credential half: APP_CREDENTIALS_INVALID for an unknown appId or
   * a wrong secret (the same answer for both, compared in equal time), VENDOR_SUSPENDED for a
   * correct pair of a suspended vendor.
   */
  checkAppCredentials(appId: string, appSecret: string): PortalResult<{ vendor: Vendor }> {
    const vendor = typeof appId === 'string' ? this.vendorByAppId(appId) : undefined;
    const secretOk = equalStrings(
      vendor?.appSecret ?? '\u0000unknown-app',
      typeof appSecret === 'string' ? appSecret : '',
    );
    if (!vendor || !secretOk) return fail('APP_CREDENTIALS_INVALID');
    if (vendor.status !== 'approved') return fail('VENDOR_SUSPENDED');
    return { ok: true, vendor };
  }

  listVendors(): Vendor[] {
    return [...this.#vendors.values()].map((v) => ({ ...v }));
  }

  // ---- devices -------------------------------------------------------------------------------

  /**
   * Registers a device's SM2 public key under its 设备身份码 for a vendor. Registering an
   * existing device again with the SAME vendor replaces its key (re-keying, e.g. after a board
   * swap); its binding stays, and the server ends every session of the old key. `replaced` says
   * whether a different key was replaced. BAD_REQUEST (with a reason) for an invalid device ID, a
   * key that is not a point on the SM2 curve, an unknown vendor, or a device of another vendor.
   */
  registerDevice(
    deviceId: string,
    publicKey: Uint8Array,
    vendorId: string,
  ): PortalResult<{ device: Device; replaced: boolean }> {
    if (!isIdentifier(deviceId)) return fail('BAD_REQUEST', 'the device ID is not 1-64 printable characters');
    if (!isSm2PublicKey(publicKey)) {
      return fail('BAD_REQUEST', 'the public key is not a point on the SM2 curve (65 bytes, 04 || X || Y)');
    }
    if (!this.#vendors.has(vendorId)) return fail('BAD_REQUEST', `unknown vendor ${vendorId}`);
    const existing = this.#devices.get(deviceId);
    if (existing && existing.vendorId !== vendorId) {
      return fail('BAD_REQUEST', `device ${deviceId} is registered for vendor ${existing.vendorId}`);
    }
    const device: Device = { deviceId, publicKey: Buffer.from(publicKey), vendorId };
    this.#devices.set(deviceId, device);
    const replaced = existing !== undefined && !existing.publicKey.equals(device.publicKey);
    return { ok: true, device: copyDevice(device), replaced };
  }

  getDevice(deviceId: string): Device | undefined {
    const device = this.#devices.get(deviceId);
    return device ? copyDevice(device) : undefined;
  }

  listDevices(): Device[] {
    return [...this.#devices.values()].map(copyDevice);
  }

  /**
   * The device and its vendor, if the device may talk to the portal at all:
   * DEVICE_UNKNOWN, then VENDOR_SUSPENDED.
   */
  activeDevice(deviceId: string): PortalResult<{ device: Device; vendor: Vendor }> {
    const device = this.#devices.get(deviceId);
    if (!device) return fail('DEVICE_UNKNOWN');
    const vendor = this.#vendors.get(device.vendorId);
    if (vendor?.status !== 'approved') return fail('VENDOR_SUSPENDED');
    return { ok: true, device: copyDevice(device), vendor: { ...vendor } };
  }

  // ---- venues --------------------------------------------------------------------------------

  /** BAD_REQUEST for an invalid field, an unknown category, invalid presets or a taken code. */
  addVenue(venue: Venue): PortalResult<{ venue: Venue }> {
    if (!isIdentifier(venue.venueCode) || !isDisplayName(venue.name)) return fail('BAD_REQUEST');
    if (!(VENUE_CATEGORIES as readonly string[]).includes(venue.category)) return fail('BAD_REQUEST');
    if (!isVenuePresets(venue)) return fail('BAD_REQUEST');
    if (this.#venues.has(venue.venueCode)) return fail('BAD_REQUEST');
    const copy = copyVenue(venue);
    this.#venues.set(copy.venueCode, copy);
    return { ok: true, venue: copyVenue(copy) };
  }

  getVenue(venueCode: string): Venue | undefined {
    const venue = this.#venues.get(venueCode);
    return venue ? copyVenue(venue) : undefined;
  }

  listVenues(): Venue[] {
    return [...this.#venues.values()].map(copyVenue);
  }

  // ---- bindings (interfaces 1 and 5) ---------------------------------------------------------

  /**
   * Interface 1. Checks, in this order: DEVICE_UNKNOWN, VENDOR_SUSPENDED (only devices of approved
   * vendors bind), VENUE_UNKNOWN, ALREADY_BOUND (a bound device must use rebind, even to the same
   * venue, so that a binding is only ever changed by a signed rebind).
   */
  bind(deviceId: string, venueCode: string): PortalResult<{ binding: Binding; venue: Venue }> {
    const active = this.activeDevice(deviceId);
    if (!active.ok) return active;
    const venue = this.#venues.get(venueCode);
    if (!venue) return fail('VENUE_UNKNOWN');
    if (this.#bindings.has(deviceId)) return fail('ALREADY_BOUND');
    const binding: Binding = { deviceId, venueCode, boundAt: this.#now() };
    this.#bindings.set(deviceId, binding);
    return { ok: true, binding: { ...binding }, venue: copyVenue(venue) };
  }

  /**
   * Interface 5. The caller (the server) has already verified the device's SM2 signature over the
   * request with the registered public key; this does the rest, in this order: DEVICE_UNKNOWN,
   * VENDOR_SUSPENDED, VENUE_UNKNOWN, NOT_BOUND (rebind needs a binding to replace).
   * Rebinding to the venue it is already bound to succeeds and renews `boundAt`.
   */
  rebind(
    deviceId: string,
    venueCode: string,
  ): PortalResult<{ binding: Binding; previousVenueCode: string; venue: Venue }> {
    const active = this.activeDevice(deviceId);
    if (!active.ok) return active;
    const venue = this.#venues.get(venueCode);
    if (!venue) return fail('VENUE_UNKNOWN');
    const previous = this.#bindings.get(deviceId);
    if (!previous) return fail('NOT_BOUND');
    const binding: Binding = { deviceId, venueCode, boundAt: this.#now() };
    this.#bindings.set(deviceId, binding);
    return { ok: true, binding: { ...binding }, previousVenueCode: previous.venueCode, venue: copyVenue(venue) };
  }

  /**
   * Gate for interfaces 3 and 4: a device verifies only once bound. DEVICE_UNKNOWN,
   * VENDOR_SUSPENDED, then NOT_BOUND. Returns the venue whose presets the decision uses.
   */
  requireBound(deviceId: string): PortalResult<{ venue: Venue; binding: Binding }> {
    const active = this.activeDevice(deviceId);
    if (!active.ok) return active;
    const binding = this.#bindings.get(deviceId);
    if (!binding) return fail('NOT_BOUND');
    const venue = this.#venues.get(binding.venueCode);
    if (!venue) return fail('INTERNAL'); // venues are never removed; a binding to none is a bug
    return { ok: true, venue: copyVenue(venue), binding: { ...binding } };
  }

  getBinding(deviceId: string): Binding | undefined {
    const binding = this.#bindings.get(deviceId);
    return binding ? { ...binding } : undefined;
  }

  // ---- snapshot ------------------------------------------------------------------------------

  snapshot(): RegistrySnapshot {
    return {
      vendors: this.listVendors(),
      devices: this.listDevices(),
      venues: this.listVenues(),
      bindings: [...this.#bindings.values()].map((b) => ({ ...b })),
    };
  }

  /** Rebuilds through the same validation as the operations; throws RangeError on a bad snapshot. */
  #restore(snapshot: RegistrySnapshot): void {
    for (const vendor of snapshot.vendors) {
      if (!this.registerVendor(vendor).ok) throw new RangeError('invalid vendor in snapshot');
    }
    for (const venue of snapshot.venues) {
      if (!this.addVenue(venue).ok) throw new RangeError('invalid venue in snapshot');
    }
    for (const device of snapshot.devices) {
      if (this.#devices.has(device.deviceId)) throw new RangeError('duplicate device in snapshot');
      if (!this.registerDevice(device.deviceId, device.publicKey, device.vendorId).ok) {
        throw new RangeError('invalid device in snapshot');
      }
    }
    for (const binding of snapshot.bindings) {
      const known = this.#devices.has(binding.deviceId) && this.#venues.has(binding.venueCode);
      if (!known || this.#bindings.has(binding.deviceId) || !Number.isFinite(binding.boundAt)) {
        throw new RangeError('invalid binding in snapshot');
      }
      this.#bindings.set(binding.deviceId, { ...binding });
    }
  }
}

function copyDevice(device: Device): Device {
  return { ...device, publicKey: Buffer.from(device.publicKey) };
}

function copyVenue(venue: Venue): Venue {
  return {
    venueCode: venue.venueCode,
    name: venue.name,
    category: venue.category,
    natValidityHours: venue.natValidityHours,
    vaccinationDoses: venue.vaccinationDoses,
  };
}
