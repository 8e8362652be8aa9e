// The binding record: one function builds every binding.* key from a portal venue, one clears
// them, and the daemon's keeper (bind by scan, the portal's word at authorize) writes only those
// complete sets, through a real config temp.store.
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, defaultOf } from '../../../firmware/config/schema.js';
import { createMemoryLogger } from '../../../firmware/core/log.js';
import { BindingKeeper } from '../../../firmware/daemon/binding-keeper.js';
import {
  BINDING_KEYS,
  boundSettings,
  storedBinding,
  unboundSettings,
} from '../../../firmware/daemon/binding-settings.js';
import type { VenueInfo } from '../../../portal-client/protocol/messages.js';
import { tempConfigStore } from '../../support/temp-store.js';

const STRICT: VenueInfo = {
  code: 'wx-transport-nat48-vax3',
  name: '地铁一号线',
  category: 'transport',
  natValidityHours: 48,
  vaccinationDoses: 3,
};
const OPEN: VenueInfo = {
  code: 'wx-residential-nonat-novax',
  name: '幸福小区',
  category: 'residential',
  natValidityHours: null,
  vaccinationDoses: null,
};
/** The binding keys that say which venue and what it requires. */
const venueRules = () => ({
  code: temp.store.get('binding.venueCode'),
  nat: temp.store.get('binding.natValidityHours'),
  doses: temp.store.get('binding.vaccinationDoses'),
});

const temp = tempConfigStore('pg-binding-');
const logger = createMemoryLogger();
const binding = () => Object.fromEntries(BINDING_KEYS.map((k) => [k, temp.store.get(k)]));

describe('binding settings', () => {
  it('cover every binding.* key of the schema', () => {
    const schemaKeys = CONFIG_KEYS.filter((k) => k.startsWith('binding.'));
    expect(Object.keys(boundSettings(STRICT, new Date())).sort()).toEqual([...schemaKeys].sort());
    expect(Object.keys(unboundSettings()).sort()).toEqual([...schemaKeys].sort());
  });

  it('a venue becomes the complete, valid set; no NAT or vaccination rule is stored as 0', () => {
    temp.store.setMany(boundSettings(STRICT, new Date('2022-04-01T08:00:00Z')));
    expect(binding()).toEqual({
      'binding.venueCode': STRICT.code,
      'binding.venueName': STRICT.name,
      'binding.venueCategory': 'transport',
      'binding.natValidityHours': 48,
      'binding.vaccinationDoses': 3,
      'binding.boundAt': '2022-04-01T08:00:00.000Z',
    });
    temp.store.setMany(boundSettings(OPEN, new Date('2022-04-02T08:00:00Z')));
    expect(venueRules()).toEqual({ code: OPEN.code, nat: 0, doses: 0 });
    const summary = { venueCode: OPEN.code, venueName: OPEN.name, venueCategory: 'residential' };
    expect(storedBinding(temp.store)).toEqual(summary);
  });

  it('clearing leaves every key as on a device never bound', () => {
    temp.store.setMany(boundSettings(STRICT, new Date()));
    temp.store.setMany(unboundSettings());
    expect(binding()).toEqual(Object.fromEntries(BINDING_KEYS.map((k) => [k, defaultOf(k)])));
    expect(storedBinding(temp.store)).toBeNull();
  });
});

describe("the daemon's binding keeper", () => {
  it("takes the portal's word: another venue replaces the whole record, none clears it, the same one keeps it", () => {
    const keeper = new BindingKeeper(temp.store, logger);
    temp.store.setMany(boundSettings(OPEN, new Date('2022-04-01T08:00:00Z')));
    keeper.reconcile(OPEN);
    expect(temp.store.get('binding.boundAt')).toBe('2022-04-01T08:00:00.000Z');

    const before = Date.now();
    keeper.reconcile(STRICT);
    expect(venueRules()).toEqual({ code: STRICT.code, nat: 48, doses: 3 });
    expect(Date.parse(temp.store.get('binding.boundAt'))).toBeGreaterThanOrEqual(before - 1000);
    expect(keeper.isBound()).toBe(true);

    keeper.reconcile(null);
    expect(binding()).toEqual(unboundSettings());
    expect(keeper.isBound()).toBe(false);
    expect(keeper.summary()).toBeNull();
  });

  it('saves a bind by scan whole; a save that fails is reported and logged, never thrown', () => {
    const keeper = new BindingKeeper(temp.store, logger);
    expect(keeper.saveBound(STRICT)).toBeNull();
    expect(venueRules()).toEqual({ code: STRICT.code, nat: 48, doses: 3 });
    expect(Date.parse(temp.store.get('binding.boundAt'))).toBeGreaterThan(Date.now() - 60_000);

    temp.store.close(); // the database goes away under the daemon
    const failure = keeper.saveBound(OPEN);
    expect(failure?.code).toBe('config.storage');
    expect(() => keeper.reconcile(null)).not.toThrow();
    const logged = logger.lines.map((l) => JSON.parse(l)).filter((l) => l.event === 'binding-save-failed');
    expect(logged.map((l) => [l.action, l.code])).toEqual([
      ['bind', 'config.storage'],
      ['reconcile', 'config.storage'],
    ]);
    expect(logged[0].message).toContain('config database');
  });
});
