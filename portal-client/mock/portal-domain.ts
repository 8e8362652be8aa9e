// What the mock server needs from the portal's business side. The server does the protocol
// (sessions, envelopes, signatures, replay); the domain decides.
import type { Verdict } from '../../firmware/core/verdict.js';
import type { IdCardBody, PortalErrorCode, VenueInfo } from '../protocol/messages.js';

export type DomainResult<T> = { ok: true; value: T } | { ok: false; error: PortalErrorCode };

export interface RegisteredDevice {
  deviceId: string;
  publicKey: Buffer;
  vendor: { appId: string; appSecret: string; approved: boolean };
}

export interface PortalDomain {
  device(deviceId: string): RegisteredDevice | null;
  /** The venue the device is bound to, or null; kept while its vendor is suspended. */
  binding(deviceId: string): VenueInfo | null;
  bind(deviceId: string, venueCode: string): DomainResult<{ venue: VenueInfo; boundAt: number }>;
  rebind(deviceId: string, venueCode: string): DomainResult<{ venue: VenueInfo; boundAt: number }>;
  verifyPassCode(venue: VenueInfo, code: string): Verdict;
  /** BAD_REQUEST for a card identity the portal cannot take (e.g. a bad check digit). */
  verifyIdCard(venue: VenueInfo, card: IdCardBody): DomainResult<Verdict>;
}
