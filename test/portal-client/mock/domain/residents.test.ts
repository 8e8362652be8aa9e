import { describe, expect, it } from 'vitest';
import { isValidIdNumber } from '../../../../firmware/core/id-number.js';
import { isResident, ResidentDirectory, WUXI_REGION_CODES } from '../../../../portal-client/mock/domain/residents.js';
import { SeededRandom } from '../../../../portal-client/mock/domain/seeded-random.js';
import { crypto, healthy, residentFactory, T0 } from './fixtures.js';

describe('synthetic residents', () => {
  it('have valid Wuxi ID numbers, plausible birth dates, short names and opaque refs', () => {
    const make = residentFactory('synthetic');
    for (let i = 0; i < 200; i++) {
      const r = make(healthy(T0));
      expect(isValidIdNumber(r.idNumber)).toBe(true);
      expect(WUXI_REGION_CODES).toContain(r.idNumber.slice(0, 6));
      const year = Number(r.idNumber.slice(6, 10));
      const month = Number(r.idNumber.slice(10, 12));
      const day = Number(r.idNumber.slice(12, 14));
      expect(year).toBeGreaterThanOrEqual(1930);
      expect(year).toBeLessThanOrEqual(2025);
      expect(month).toBeGreaterThanOrEqual(1);
      expect(month).toBeLessThanOrEqual(12);
      expect(day).toBeGreaterThanOrEqual(1);
      expect(day).toBeLessThanOrEqual(31);
      expect([...r.name].length).toBeGreaterThanOrEqual(2);
      expect([...r.name].length).toBeLessThanOrEqual(4);
      expect(r.ref).toMatch(/^[0-9a-f]{32}$/);
      expect(r.ref).not.toContain(r.idNumber.slice(6, 14));
      expect(isResident(r)).toBe(true);
    }
  });

  it('are deterministic per seed and differ between seeds', () => {
    const a = residentFactory('same')(healthy(T0));
    const b = residentFactory('same')(healthy(T0));
    const c = residentFactory('other')(healthy(T0));
    expect(a).toEqual(b);
    expect(c.ref).not.toBe(a.ref);
  });
});

describe('SeededRandom', () => {
  it('draws integers in range without obvious bias', () => {
    const random = new SeededRandom(1, crypto);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[random.int(3)]++;
    for (const count of counts) expect(count).toBeGreaterThan(850);
    expect(() => random.int(0)).toThrow(RangeError);
    const f = random.fraction();
    expect(f).toBeGreaterThanOrEqual(0);
    expect(f).toBeLessThan(1);
  });

  it('distinguishes seeds of different types', () => {
    expect(new SeededRandom(1, crypto).hex(8)).not.toBe(new SeededRandom('1', crypto).hex(8));
    expect(new SeededRandom(Buffer.from('1'), crypto).hex(8)).not.toBe(new SeededRandom('1', crypto).hex(8));
  });
});

describe('ResidentDirectory', () => {
  it('finds by ref and by exact (name, ID number); never by ID number alone', () => {
    const make = residentFactory('directory');
    const a = make(healthy(T0));
    const b = make(healthy(T0));
    const directory = new ResidentDirectory([a, b]);
    expect(directory.size).toBe(2);
    expect(directory.byRef(a.ref)).toEqual(a);
    expect(directory.byRef(a.idNumber)).toBeUndefined();
    expect(directory.byRef('0'.repeat(32))).toBeUndefined();
    expect(directory.byIdentity(a.name, a.idNumber)).toEqual(a);
    expect(directory.byIdentity('某' + a.name, a.idNumber)).toBeUndefined();
    expect(directory.byIdentity(a.name, b.idNumber)?.ref).toBe(a.name === b.name ? b.ref : undefined);
    expect(directory.byIdentity(a.name + ' ', a.idNumber)).toBeUndefined();
    expect(directory.byIdentity(a.name, a.idNumber.slice(0, 17))).toBeUndefined();
  });

  it('reads a trailing lower-case x as X', () => {
    const make = residentFactory('x-check');
    let withX = make(healthy(T0));
    while (!withX.idNumber.endsWith('X')) withX = make(healthy(T0));
    const directory = new ResidentDirectory([withX]);
    expect(directory.byIdentity(withX.name, withX.idNumber.slice(0, 17) + 'x')?.ref).toBe(withX.ref);
  });

  it('refuses invalid residents, duplicate refs and duplicate ID numbers', () => {
    const make = residentFactory('dupes');
    const a = make(healthy(T0));
    const directory = new ResidentDirectory([a]);
    expect(directory.add({ ...make(healthy(T0)), ref: a.ref })).toBe(false);
    expect(directory.add({ ...make(healthy(T0)), idNumber: a.idNumber })).toBe(false);
    const badCheck = a.idNumber.slice(0, 17) + (a.idNumber[17] === '0' ? '1' : '0');
    expect(directory.add({ ...make(healthy(T0)), idNumber: badCheck })).toBe(false);
    expect(directory.add({ ...make(healthy(T0)), ref: 'ABC' })).toBe(false);
    expect(directory.add({ ...make(healthy(T0)), vaccinationDoses: -1 })).toBe(false);
    expect(directory.add({ ...make(healthy(T0)), name: '' })).toBe(false);
    expect(isResident({ ...a, skm: { colour: 'blue', updatedAt: T0 } })).toBe(false);
    expect(isResident({ ...a, natSamples: [{ sampledAt: T0, result: 'unknown' }] })).toBe(false);
    expect(isResident(null)).toBe(false);
    expect(directory.size).toBe(1);
    expect(() => new ResidentDirectory([a, a])).toThrow(RangeError);
  });

  it('returns copies, and updateHealth replaces the record', () => {
    const make = residentFactory('copies');
    const a = make(healthy(T0));
    const directory = new ResidentDirectory([a]);
    const copy = directory.byRef(a.ref)!;
    copy.onControlList = true;
    copy.natSamples.push({ sampledAt: T0, result: 'positive' });
    expect(directory.byRef(a.ref)).toEqual(a);
    expect(directory.updateHealth(a.ref, healthy(T0, { onControlList: true }))).toBe(true);
    expect(directory.byRef(a.ref)?.onControlList).toBe(true);
    expect(directory.byRef(a.ref)?.name).toBe(a.name);
    expect(directory.updateHealth('f'.repeat(32), healthy(T0))).toBe(false);
    expect(directory.updateHealth(a.ref, healthy(T0, { vaccinationDoses: 0.5 }))).toBe(false);
  });
});
