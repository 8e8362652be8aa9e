// The device's binding as config keeps it (binding.venueCode … binding.boundAt). Built in this one
// place, so every writer (the CLI's direct bind, the daemon's bind by scan, the daemon taking the
// portal's word at authorize, provisioning a new identity) leaves the complete set of keys: no
// venue code beside the NAT rule of the venue before it.

import type { VenueInfo } from '../../portal-client/protocol/messages.js';
import type { ConfigValues } from '../config/schema.js';
import type { ConfigStore } from '../config/store.js';

export const BINDING_KEYS = [
  'binding.venueCode',
  'binding.venueName',
  'binding.venueCategory',
  'binding.natValidityHours',
  'binding.vaccinationDoses',
  'binding.boundAt',
] as const;

export type BindingSettings = Pick<ConfigValues, (typeof BINDING_KEYS)[number]>;

/** Every binding key for `venue`, bound at `boundAt`. */
export function boundSettings(venue: VenueInfo, boundAt: Date): BindingSettings {
  return {
    'binding.venueCode': venue.code,
    'binding.venueName': venue.name,
    'binding.venueCategory': venue.category,
    'binding.natValidityHours': venue.natValidityHours ?? 0,
    'binding.vaccinationDoses': venue.vaccinationDoses ?? 0,
    'binding.boundAt': boundAt.toISOString(),
  };
}

/** Every binding key as on a device that was never bound. */
export function unboundSettings(): BindingSettings {
  return {
    'binding.venueCode': '',
    'binding.venueName': '',
    'binding.venueCategory': '',
    'binding.natValidityHours': 0,
    'binding.vaccinationDoses': 0,
    'binding.boundAt': '',
  };
}

/** The binding as status answers show it. */
export interface BindingSummary {
  venueCode: string;
  venueName: string;
  venueCategory: string;
}

/** The stored binding, or null when the device is not bound. */
export function storedBinding(store: ConfigStore): BindingSummary | null {
  const venueCode = store.get('binding.venueCode');
  if (venueCode === '') return null;
  return { venueCode, venueName: store.get('binding.venueName'), venueCategory: store.get('binding.venueCategory') };
}
