// The binding.* values: the venue the device is bound to, by the protocol's own rules
// (portal-client/protocol/venue.ts), so that every venue the readers accept from the portal can be
// stored whole, and the config refuses exactly what the readers refuse. Empty means not bound.
import {
  isBoundAt,
  isVenueCode,
  isVenueName,
  MAX_VENUE_CODE_LENGTH,
  MAX_VENUE_NAME_CHARS,
  VENUE_CATEGORIES,
} from '../../portal-client/protocol/venue.js';
import { isoTimeOrEmpty } from './text-values.js';

/** A venue category as the portal names it, or '' while unknown. */
export const VENUE_CATEGORY_OR_UNKNOWN = ['', ...VENUE_CATEGORIES] as const;
export type VenueCategoryOrUnknown = (typeof VENUE_CATEGORY_OR_UNKNOWN)[number];

export function venueCodeOrEmpty(value: string): string | undefined {
  if (value === '' || isVenueCode(value)) return undefined;
  return `must be a venue code: 1 to ${MAX_VENUE_CODE_LENGTH} letters, digits, "_" or "-", or empty`;
}

export function venueNameOrEmpty(value: string): string | undefined {
  if (value === '' || isVenueName(value)) return undefined;
  return `must be a venue name: 1 to ${MAX_VENUE_NAME_CHARS} characters on one line, or empty`;
}

/** An ISO 8601 time with zone within the protocol's boundAt range, or empty. */
export function boundAtOrEmpty(value: string): string | undefined {
  const notIso = isoTimeOrEmpty(value);
  if (notIso !== undefined || value === '') return notIso;
  return isBoundAt(Date.parse(value)) ? undefined : 'must be a time from 1970 to 9999';
}
