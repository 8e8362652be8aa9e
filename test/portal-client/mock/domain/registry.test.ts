import { describe, expect, it } from 'vitest';
import { createGmCryptoSuite } from '../../../../portal-client/crypto/gm-suite.js';
import {
  isPortalErrorCode,
  PORTAL_ERROR_CODES,
  PortalRegistry,
  type Venue,
} from '../../../../portal-client/mock/domain/registry.js';

const T0 = Date.UTC(2026, 10, 27, 8, 0, 0);

const crypto = createGmCryptoSuite();
const publicKeys = new Map<number, Buffer>();

/** A real SM2 public key (a point on the curve), the same one for the same number. */
function publicKey(n: number): Buffer {
  if (!publicKeys.has(n)) publicKeys.set(n, crypto.sm2GenerateKeyPair().publicKey);
  return Buffer.from(publicKeys.get(n)!);
}

const VENUE_A: Venue = {
  venueCode: 'venue-a',
  name: '示例小区南门',
  category: 'residential',
  natValidityHours: 48,
  vaccinationDoses: null,
};
const VENUE_B: Venue = {
  venueCode: 'venue-b',
  name: '示例站',
  category: 'transport',
  natValidityHours: null,
  vaccinationDoses: 3,
};

function setup() {
  let t = T0;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const registry = new PortalRegistry({ now: clock.now });
  expect(
    registry.registerVendor({ id: 'v1', name: '厂商一', appId: 'app-1', appSecret: '0123456789abcdef0123' }).ok,
  ).toBe(true);
  expect(
    registry.registerVendor({
      id: 'v2',
      name: '厂商二',
      appId: 'app-2',
      appSecret: 'fedcba9876543210fedc',
      status: 'suspended',
    }).ok,
  ).toBe(true);
  expect(registry.addVenue(VENUE_A).ok).toBe(true);
  expect(registry.addVenue(VENUE_B).ok).toBe(true);
  expect(registry.registerDevice('dev-1', publicKey(1), 'v1').ok).toBe(true);
  expect(registry.registerDevice('dev-2', publicKey(2), 'v2').ok).toBe(true);
  return { registry, clock };
}

describe('portal error codes', () => {
  it('are SCREAMING_CASE and include the codes the server relies on', () => {
    for (const code of PORTAL_ERROR_CODES) expect(code).toMatch(/^[A-Z][A-Z_]*$/);
    for (const code of [
      'BAD_REQUEST',
      'BAD_SIGNATURE',
      'APP_CREDENTIALS_INVALID',
      'DEVICE_UNKNOWN',
      'VENDOR_SUSPENDED',
      'VENUE_UNKNOWN',
      'ALREADY_BOUND',
      'NOT_BOUND',
      'TOKEN_INVALID',
      'REPLAY',
      'CLOCK_SKEW',
      'INTERNAL',
    ]) {
      expect(isPortalErrorCode(code)).toBe(true);
    }
    expect(isPortalErrorCode('not_a_code')).toBe(false);
    expect(isPortalErrorCode(42)).toBe(false);
  });
});

describe('vendors', () => {
  it('registers approved by default, and rejects duplicate ids, duplicate app ids and short secrets', () => {
    const registry = new PortalRegistry({ now: () => T0 });
    const first = registry.registerVendor({ id: 'v1', name: '厂商', appId: 'app', appSecret: 'x'.repeat(16) });
    expect(first).toMatchObject({ ok: true, vendor: { status: 'approved' } });
    expect(registry.registerVendor({ id: 'v1', name: '厂商', appId: 'other', appSecret: 'x'.repeat(16) })).toEqual({
      ok: false,
      error: 'BAD_REQUEST',
      reason: 'vendor v1 exists already',
    });
    expect(registry.registerVendor({ id: 'v2', name: '厂商', appId: 'app', appSecret: 'x'.repeat(16) })).toEqual({
      ok: false,
      error: 'BAD_REQUEST',
      reason: 'app ID app is taken',
    });
    expect(registry.registerVendor({ id: 'v3', name: '厂商', appId: 'app3', appSecret: 'short' })).toEqual({
      ok: false,
      error: 'BAD_REQUEST',
    });
    expect(
      registry.registerVendor({ id: 'has space', name: '厂商', appId: 'app4', appSecret: 'x'.repeat(16) }),
    ).toMatchObject({ ok: false, error: 'BAD_REQUEST' });
    expect(registry.listVendors().map((v) => v.id)).toEqual(['v1']);
  });

  it('suspends and re-approves; unknown vendor is BAD_REQUEST', () => {
    const { registry } = setup();
    expect(registry.suspendVendor('v1')).toMatchObject({ ok: true, vendor: { status: 'suspended' } });
    expect(registry.getVendor('v1')?.status).toBe('suspended');
    expect(registry.approveVendor('v1')).toMatchObject({ ok: true, vendor: { status: 'approved' } });
    expect(registry.suspendVendor('nobody')).toEqual({
      ok: false,
      error: 'BAD_REQUEST',
      reason: 'unknown vendor nobody',
    });
  });

  it('checks app credentials: unknown app and wrong secret look the same; suspended vendor is told so', () => {
    const { registry } = setup();
    expect(registry.checkAppCredentials('app-1', '0123456789abcdef0123')).toMatchObject({
      ok: true,
      vendor: { id: 'v1' },
    });
    expect(registry.checkAppCredentials('app-1', '0123456789abcdef0124')).toEqual({
      ok: false,
      error: 'APP_CREDENTIALS_INVALID',
    });
    expect(registry.checkAppCredentials('app-1', '0123456789abcdef012')).toEqual({
      ok: false,
      error: 'APP_CREDENTIALS_INVALID',
    });
    expect(registry.checkAppCredentials('app-9', '0123456789abcdef0123')).toEqual({
      ok: false,
      error: 'APP_CREDENTIALS_INVALID',
    });
    expect(registry.checkAppCredentials('app-2', 'fedcba9876543210fedc')).toEqual({
      ok: false,
      error: 'VENDOR_SUSPENDED',
    });
    expect(registry.checkAppCredentials('app-2', 'wrong-secret-wrong-secret')).toEqual({
      ok: false,
      error: 'APP_CREDENTIALS_INVALID',
    });
  });

  it('returns copies: mutating a result does not change the registry', () => {
    const { registry } = setup();
    const vendor = registry.getVendor('v1')!;
    vendor.status = 'suspended';
    expect(registry.getVendor('v1')?.status).toBe('approved');
    const device = registry.getDevice('dev-1')!;
    device.publicKey[1] ^= 0xff;
    expect(registry.getDevice('dev-1')?.publicKey.equals(publicKey(1))).toBe(true);
  });
});

describe('devices', () => {
  it('validates the key (65 bytes, 04 prefix) and the vendor', () => {
    const { registry } = setup();
    expect(registry.registerDevice('dev-3', Buffer.alloc(64, 4), 'v1')).toMatchObject({
      ok: false,
      error: 'BAD_REQUEST',
    });
    const compressed = publicKey(3);
    compressed[0] = 0x02;
    expect(registry.registerDevice('dev-3', compressed, 'v1')).toMatchObject({ ok: false, error: 'BAD_REQUEST' });
    const offCurve = publicKey(3);
    offCurve[64] ^= 1;
    expect(registry.registerDevice('dev-3', offCurve, 'v1')).toEqual({
      ok: false,
      error: 'BAD_REQUEST',
      reason: 'the public key is not a point on the SM2 curve (65 bytes, 04 || X || Y)',
    });
    expect(registry.registerDevice('dev-3', publicKey(3), 'no-vendor')).toEqual({
      ok: false,
      error: 'BAD_REQUEST',
      reason: 'unknown vendor no-vendor',
    });
    expect(registry.registerDevice('', publicKey(3), 'v1')).toMatchObject({ ok: false, error: 'BAD_REQUEST' });
    expect(registry.getDevice('dev-3')).toBeUndefined();
  });

  it('re-registering with the same vendor replaces the key and keeps the binding', () => {
    const { registry } = setup();
    expect(registry.bind('dev-1', 'venue-a').ok).toBe(true);
    const result = registry.registerDevice('dev-1', publicKey(9), 'v1');
    expect(result).toMatchObject({ ok: true, replaced: true });
    expect(registry.getDevice('dev-1')?.publicKey.equals(publicKey(9))).toBe(true);
    expect(registry.getBinding('dev-1')?.venueCode).toBe('venue-a');
    expect(registry.registerDevice('dev-new', publicKey(5), 'v1')).toMatchObject({ ok: true, replaced: false });
    // The same key again replaces nothing.
    expect(registry.registerDevice('dev-1', publicKey(9), 'v1')).toMatchObject({ ok: true, replaced: false });
  });

  it('another vendor cannot take over a registered device', () => {
    const { registry } = setup();
    expect(registry.registerDevice('dev-1', publicKey(7), 'v2')).toEqual({
      ok: false,
      error: 'BAD_REQUEST',
      reason: 'device dev-1 is registered for vendor v1',
    });
    expect(registry.getDevice('dev-1')?.vendorId).toBe('v1');
  });
});

describe('venues', () => {
  it('accepts the four categories and valid presets only', () => {
    const registry = new PortalRegistry({ now: () => T0 });
    for (const category of ['transport', 'enterprise', 'public-place', 'residential'] as const) {
      expect(registry.addVenue({ ...VENUE_A, venueCode: `c-${category}`, category }).ok).toBe(true);
    }
    const bad: unknown[] = [
      { ...VENUE_A, venueCode: 'x1', category: 'stadium' },
      { ...VENUE_A, venueCode: 'x2', natValidityHours: 36 },
      { ...VENUE_A, venueCode: 'x3', vaccinationDoses: 0 },
      { ...VENUE_A, venueCode: 'x4', vaccinationDoses: 1.5 },
      { ...VENUE_A, venueCode: 'x5', name: '' },
      { ...VENUE_A, venueCode: 'c-transport' }, // taken
    ];
    for (const venue of bad)
      expect(registry.addVenue(venue as Venue)).toMatchObject({ ok: false, error: 'BAD_REQUEST' });
    expect(registry.listVenues()).toHaveLength(4);
  });
});

describe('bind', () => {
  it('binds a device of an approved vendor and stamps the injected clock', () => {
    const { registry } = setup();
    const result = registry.bind('dev-1', 'venue-a');
    expect(result).toMatchObject({
      ok: true,
      binding: { deviceId: 'dev-1', venueCode: 'venue-a', boundAt: T0 },
      venue: VENUE_A,
    });
  });

  it('refuses in order: DEVICE_UNKNOWN, VENDOR_SUSPENDED, VENUE_UNKNOWN, ALREADY_BOUND', () => {
    const { registry } = setup();
    expect(registry.bind('dev-x', 'venue-x')).toEqual({ ok: false, error: 'DEVICE_UNKNOWN' });
    expect(registry.bind('dev-2', 'venue-x')).toEqual({ ok: false, error: 'VENDOR_SUSPENDED' });
    expect(registry.bind('dev-2', 'venue-a')).toEqual({ ok: false, error: 'VENDOR_SUSPENDED' });
    expect(registry.bind('dev-1', 'venue-x')).toEqual({ ok: false, error: 'VENUE_UNKNOWN' });
    expect(registry.bind('dev-1', 'venue-a').ok).toBe(true);
    expect(registry.bind('dev-1', 'venue-b')).toEqual({ ok: false, error: 'ALREADY_BOUND' });
    expect(registry.bind('dev-1', 'venue-a')).toEqual({ ok: false, error: 'ALREADY_BOUND' });
    expect(registry.bind('dev-1', 'venue-x')).toEqual({ ok: false, error: 'VENUE_UNKNOWN' });
    expect(registry.getBinding('dev-1')?.venueCode).toBe('venue-a');
  });

  it('a vendor approved after suspension can bind its devices', () => {
    const { registry } = setup();
    expect(registry.approveVendor('v2').ok).toBe(true);
    expect(registry.bind('dev-2', 'venue-b').ok).toBe(true);
  });
});

describe('rebind', () => {
  it('requires an existing binding', () => {
    const { registry } = setup();
    expect(registry.rebind('dev-1', 'venue-b')).toEqual({ ok: false, error: 'NOT_BOUND' });
    expect(registry.getBinding('dev-1')).toBeUndefined();
  });

  it('moves the binding, reports the previous venue and renews boundAt', () => {
    const { registry, clock } = setup();
    registry.bind('dev-1', 'venue-a');
    clock.advance(60_000);
    const result = registry.rebind('dev-1', 'venue-b');
    expect(result).toMatchObject({
      ok: true,
      previousVenueCode: 'venue-a',
      binding: { venueCode: 'venue-b', boundAt: T0 + 60_000 },
    });
    expect(registry.requireBound('dev-1')).toMatchObject({ ok: true, venue: { venueCode: 'venue-b' } });
    expect(registry.rebind('dev-1', 'venue-b')).toMatchObject({ ok: true, previousVenueCode: 'venue-b' });
  });

  it('refuses unknown device, suspended vendor and unknown venue', () => {
    const { registry } = setup();
    registry.bind('dev-1', 'venue-a');
    expect(registry.rebind('dev-x', 'venue-b')).toEqual({ ok: false, error: 'DEVICE_UNKNOWN' });
    expect(registry.rebind('dev-1', 'venue-x')).toEqual({ ok: false, error: 'VENUE_UNKNOWN' });
    registry.suspendVendor('v1');
    expect(registry.rebind('dev-1', 'venue-b')).toEqual({ ok: false, error: 'VENDOR_SUSPENDED' });
    expect(registry.getBinding('dev-1')?.venueCode).toBe('venue-a');
  });
});

describe('requireBound', () => {
  it('refuses verification until bound, with its own error, then returns the venue', () => {
    const { registry } = setup();
    expect(registry.requireBound('dev-1')).toEqual({ ok: false, error: 'NOT_BOUND' });
    registry.bind('dev-1', 'venue-a');
    expect(registry.requireBound('dev-1')).toMatchObject({ ok: true, venue: VENUE_A, binding: { deviceId: 'dev-1' } });
  });

  it('refuses unknown devices and devices of a vendor suspended after binding', () => {
    const { registry } = setup();
    expect(registry.requireBound('dev-x')).toEqual({ ok: false, error: 'DEVICE_UNKNOWN' });
    registry.bind('dev-1', 'venue-a');
    registry.suspendVendor('v1');
    expect(registry.requireBound('dev-1')).toEqual({ ok: false, error: 'VENDOR_SUSPENDED' });
    registry.approveVendor('v1');
    expect(registry.requireBound('dev-1').ok).toBe(true);
  });
});

describe('snapshot', () => {
  it('round-trips through a new registry', () => {
    const { registry } = setup();
    registry.bind('dev-1', 'venue-a');
    const copy = new PortalRegistry({ now: () => T0 }, registry.snapshot());
    expect(copy.snapshot()).toEqual(registry.snapshot());
    expect(copy.requireBound('dev-1')).toMatchObject({ ok: true, venue: { venueCode: 'venue-a' } });
    expect(copy.bind('dev-2', 'venue-a')).toEqual({ ok: false, error: 'VENDOR_SUSPENDED' });
  });

  it('rejects a snapshot with a binding to an unknown venue', () => {
    const { registry } = setup();
    const snapshot = registry.snapshot();
    snapshot.bindings.push({ deviceId: 'dev-1', venueCode: 'nowhere', boundAt: T0 });
    expect(() => new PortalRegistry({ now: () => T0 }, snapshot)).toThrow(RangeError);
  });
});
