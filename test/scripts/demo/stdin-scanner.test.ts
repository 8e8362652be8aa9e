import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DriverStatus, InputEvent } from '../../../drivers/input.js';
import { LineScanner } from '../../../scripts/demo/stdin-scanner.js';
import { until } from '../../support/polling.js';

function rig(options: Partial<ConstructorParameters<typeof LineScanner>[0]> = {}) {
  const input = new PassThrough();
  const scanner = new LineScanner({ name: 'keys', input, ...options });
  const events: InputEvent[] = [];
  const states: DriverStatus[] = [];
  scanner.onEvent((e) => events.push(e));
  scanner.onState((s) => states.push(s));
  return { input, scanner, events, states };
}

describe('LineScanner (the demo keyboard)', () => {
  it('turns each typed line into a code, mapped first; blank and dropped lines emit nothing', async () => {
    const { input, scanner, events } = rig({ mapLine: (line) => (line === 'skip' ? null : line.toUpperCase()) });
    await scanner.open();
    input.write('pg-1\r\n\n  \nskip\npg-');
    input.write('2\n');
    await until(() => events.length >= 2);
    expect(events).toEqual([
      { kind: 'code', source: 'keys', text: 'PG-1', symbology: 'unknown', arrivedAt: expect.any(Number) },
      { kind: 'code', source: 'keys', text: 'PG-2', symbology: 'unknown', arrivedAt: expect.any(Number) },
    ]);
    await scanner.close();
  });

  it('reports overlong lines as driver.overlong and never buffers them', async () => {
    const { input, scanner, events } = rig({ maxLineLength: 8 });
    await scanner.open();
    input.write('123456789\n');
    input.write('x'.repeat(20));
    input.write('\nOK\n');
    await until(() => events.length >= 3);
    expect(events).toEqual([
      { kind: 'read-error', source: 'keys', code: 'driver.overlong', arrivedAt: expect.any(Number) },
      { kind: 'read-error', source: 'keys', code: 'driver.overlong', arrivedAt: expect.any(Number) },
      { kind: 'code', source: 'keys', text: 'OK', symbology: 'unknown', arrivedAt: expect.any(Number) },
    ]);
    await scanner.close();
  });

  it('is open while attached, closed at the end of its input or on close()', async () => {
    const { input, scanner, states } = rig();
    await scanner.open();
    expect(scanner.status()).toEqual({ name: 'keys', state: 'open' });
    input.end();
    input.resume();
    await until(() => scanner.status().state === 'closed');
    await scanner.close();
    expect(states.map((s) => s.state)).toEqual(['open', 'closed', 'closed']);
  });
});
