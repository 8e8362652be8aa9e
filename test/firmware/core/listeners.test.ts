// drivers/input.ts: the listener list and the status rule every driver shares.
import { describe, expect, it } from 'vitest';
import { driverStatus } from '../../../drivers/input.js';
import { Listeners } from '../../../firmware/core/listeners.js';

describe('Listeners', () => {
  it('emit reaches every listener and rethrows the first failure after', () => {
    const list = new Listeners<number>();
    const seen: string[] = [];
    list.add(() => {
      seen.push('a');
      throw new Error('first');
    });
    list.add(() => {
      seen.push('b');
      throw new Error('second');
    });
    list.add((value) => seen.push(`c${value}`));
    expect(() => list.emit(7)).toThrow('first');
    expect(seen).toEqual(['a', 'b', 'c7']);
  });

  it('emitIgnoringFailures reaches every listener and throws nothing', () => {
    const list = new Listeners<number>();
    const seen: number[] = [];
    list.add(() => {
      throw new Error('listener bug');
    });
    list.add((value) => seen.push(value));
    expect(() => list.emitIgnoringFailures(3)).not.toThrow();
    expect(seen).toEqual([3]);
  });

  it('a removed listener hears nothing more', () => {
    const list = new Listeners<number>();
    const seen: number[] = [];
    const remove = list.add((value) => seen.push(value));
    list.emit(1);
    remove();
    list.emitIgnoringFailures(2);
    expect(seen).toEqual([1]);
  });
});

describe('driverStatus', () => {
  it('carries lastError only while the driver is not open', () => {
    expect(driverStatus('scanner', 'reconnecting', 'driver.disconnected')).toEqual({
      name: 'scanner',
      state: 'reconnecting',
      lastError: 'driver.disconnected',
    });
    expect(driverStatus('scanner', 'closed', 'driver.open-failed')).toEqual({
      name: 'scanner',
      state: 'closed',
      lastError: 'driver.open-failed',
    });
    const open = driverStatus('scanner', 'open', 'driver.disconnected');
    expect(open).toEqual({ name: 'scanner', state: 'open' });
    expect('lastError' in open).toBe(false);
    expect('lastError' in driverStatus('scanner', 'failed', undefined)).toBe(false);
  });
});
