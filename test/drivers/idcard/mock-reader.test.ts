import { describe, expect, it } from 'vitest';
import { MockIdCardReader } from '../../../drivers/idcard/mock-reader.js';
import type { DriverStatus, InputEvent } from '../../../drivers/input.js';
import { isValidIdNumber } from '../../../firmware/core/id-number.js';
import { syntheticCard } from '../../../scripts/lab/simulated-sam-reader.js';

describe('MockIdCardReader', () => {
  it('emits presented cards and failures only while open, and reports states', async () => {
    const reader = new MockIdCardReader('gate-card');
    const events: InputEvent[] = [];
    const states: DriverStatus[] = [];
    reader.onEvent((e) => events.push(e));
    reader.onState((s) => states.push(s));
    const card = syntheticCard();
    expect(isValidIdNumber(card.idNumber)).toBe(true);
    reader.present(card);
    expect(events).toEqual([]);
    await reader.open();
    reader.present(card);
    reader.fail();
    reader.setState('reconnecting', 'driver.disconnected');
    expect(reader.status()).toEqual({ name: 'gate-card', state: 'reconnecting', lastError: 'driver.disconnected' });
    await reader.close();
    await reader.close();
    expect(events).toEqual([
      { kind: 'card', source: 'gate-card', card, arrivedAt: expect.any(Number) },
      { kind: 'read-error', source: 'gate-card', code: 'driver.card-invalid', arrivedAt: expect.any(Number) },
    ]);
    expect(states.map((s) => s.state)).toEqual(['open', 'reconnecting', 'closed']);
  });
});
