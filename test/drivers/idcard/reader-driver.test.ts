// The ID-card reader driver on serialport's mock binding, the simulated reader on the device end.
// (reader-driver-pty.test.ts runs the real serialport path over socat ptys.)
import { afterEach, describe, expect, it } from 'vitest';
import { IdCardReaderDriver } from '../../../drivers/idcard/reader-driver.js';
import type { DriverStatus, InputEvent } from '../../../drivers/input.js';
import { gb11643CheckDigit } from '../../../firmware/core/id-number.js';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { SimulatedSamReader, syntheticCard } from '../../../scripts/lab/simulated-sam-reader.js';
import { type MockSerialDevice, MockSerialPorts } from '../../support/mock-serial-ports.js';

// Generous command timeout: the machine is shared and a late reply must not look like a fault.
const timeouts = timeoutTable({
  idCardCommandMs: 600,
  idCardRetries: 2,
  idCardPollMs: 20,
  driverReopenInitialMs: 20,
  driverReopenMaxMs: 100,
  driverPathPollMs: 20,
});

const PATH = '/dev/serial/by-id/usb-Mock_IdCard_Reader-if00';

interface Rig {
  ports: MockSerialPorts;
  device: MockSerialDevice;
  sim: SimulatedSamReader;
  driver: IdCardReaderDriver;
  events: InputEvent[];
  states: DriverStatus[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function rig(): Promise<Rig> {
  const ports = new MockSerialPorts();
  const device = ports.plugIn(PATH);
  const sim = new SimulatedSamReader();
  sim.attach(device);
  const driver = new IdCardReaderDriver({ path: PATH, timeouts, ports });
  const events: InputEvent[] = [];
  const states: DriverStatus[] = [];
  driver.onEvent((e) => events.push(e));
  driver.onState((s) => states.push(s));
  const r: Rig = { ports, device, sim, driver, events, states };
  cleanups.push(async () => {
    await r.driver.close();
    await r.sim.close();
  });
  await driver.open();
  return r;
}

async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until the reader has been asked `n` more find commands than now. */
async function morePolls(sim: SimulatedSamReader, n: number): Promise<void> {
  const count = () => sim.receivedLabels().filter((l) => l === '20 01').length;
  const target = count() + n;
  await waitFor(() => count() >= target, `${n} polls`);
}

const count = (labels: string[], label: string) => labels.filter((l) => l === label).length;

describe('IdCardReaderDriver', () => {
  it('reads a presented card once: find → select → read, one card event', async () => {
    const r = await rig();
    expect(r.driver.status().state).toBe('open');
    const card = syntheticCard();
    r.sim.present(card);
    await waitFor(() => r.events.length > 0, 'a card event');
    expect(r.events[0]).toEqual({ kind: 'card', source: 'idcard', card, arrivedAt: expect.any(Number) });
    const labels = r.sim.receivedLabels();
    const firstSelect = labels.indexOf('20 02');
    expect(labels.slice(firstSelect - 1, firstSelect + 2)).toEqual(['20 01', '20 02', '30 01']);
    // Left on the reader: polled, never read again.
    await morePolls(r.sim, 5);
    expect(r.events).toHaveLength(1);
    expect(count(r.sim.receivedLabels(), '30 01')).toBe(1);
  });

  it('with no card only polls find, and emits nothing', async () => {
    const r = await rig();
    await morePolls(r.sim, 5);
    expect(new Set(r.sim.receivedLabels())).toEqual(new Set(['20 01']));
    expect(r.events).toEqual([]);
  });

  it('reads again only after the card was removed and presented again', async () => {
    const r = await rig();
    const first = syntheticCard();
    r.sim.present(first);
    await waitFor(() => r.events.length === 1, 'first card');
    r.sim.remove();
    await morePolls(r.sim, 2);
    const second = syntheticCard();
    r.sim.present(second);
    await waitFor(() => r.events.length === 2, 'second card');
    r.sim.remove();
    await morePolls(r.sim, 2);
    r.sim.present(first);
    await waitFor(() => r.events.length === 3, 'first card again');
    await morePolls(r.sim, 3);
    expect(r.events.map((e) => (e.kind === 'card' ? e.card : e))).toEqual([first, second, first]);
    expect(count(r.sim.receivedLabels(), '30 01')).toBe(3);
  });

  it('a failed select is a read-error with driver.card-status, and is not retried', async () => {
    const r = await rig();
    r.sim.inject('select-fails', 1);
    r.sim.present(syntheticCard());
    await waitFor(() => r.events.length > 0, 'an event');
    await morePolls(r.sim, 3);
    expect(r.events).toEqual([
      { kind: 'read-error', source: 'idcard', code: 'driver.card-status', arrivedAt: expect.any(Number) },
    ]);
    expect(count(r.sim.receivedLabels(), '20 02')).toBe(1);
    expect(count(r.sim.receivedLabels(), '30 01')).toBe(0);
  });

  it('a read that keeps failing (41) is retried idCardRetries times, then one read-error', async () => {
    const r = await rig();
    r.sim.inject('read-fails');
    r.sim.present(syntheticCard());
    await waitFor(() => r.events.length > 0, 'an event');
    await morePolls(r.sim, 3);
    expect(r.events).toEqual([
      { kind: 'read-error', source: 'idcard', code: 'driver.card-status', arrivedAt: expect.any(Number) },
    ]);
    expect(count(r.sim.receivedLabels(), '30 01')).toBe(1 + timeouts.idCardRetries);
  });

  it('one failed read (41) is retried and the card is read', async () => {
    const r = await rig();
    r.sim.inject('read-fails', 1);
    const card = syntheticCard();
    r.sim.present(card);
    await waitFor(() => r.events.length > 0, 'an event');
    expect(r.events).toEqual([{ kind: 'card', source: 'idcard', card, arrivedAt: expect.any(Number) }]);
    expect(count(r.sim.receivedLabels(), '30 01')).toBe(2);
  });

  it('a reply with a bad checksum is retried at once; always bad gives driver.frame-invalid', async () => {
    const r = await rig();
    r.sim.inject('bad-checksum', 1);
    const card = syntheticCard();
    r.sim.present(card);
    await waitFor(() => r.events.length > 0, 'an event');
    expect(r.events).toEqual([{ kind: 'card', source: 'idcard', card, arrivedAt: expect.any(Number) }]);
    expect(count(r.sim.receivedLabels(), '30 01')).toBe(2);

    r.sim.remove();
    await morePolls(r.sim, 2);
    r.sim.inject('bad-checksum');
    r.sim.present(syntheticCard());
    await waitFor(() => r.events.length > 1, 'a second event');
    expect(r.events[1]).toEqual({
      kind: 'read-error',
      source: 'idcard',
      code: 'driver.frame-invalid',
      arrivedAt: expect.any(Number),
    });
  });

  it('a truncated reply times out and the retry reads the card', async () => {
    const r = await rig();
    r.sim.inject('truncated', 1);
    const card = syntheticCard();
    r.sim.present(card);
    await waitFor(() => r.events.length > 0, 'an event');
    expect(r.events).toEqual([{ kind: 'card', source: 'idcard', card, arrivedAt: expect.any(Number) }]);
    expect(count(r.sim.receivedLabels(), '30 01')).toBe(2);
  });

  it('garbage before every reply does not disturb reading', async () => {
    const r = await rig();
    r.sim.inject('garbage');
    const card = syntheticCard();
    r.sim.present(card);
    await waitFor(() => r.events.length > 0, 'an event');
    await morePolls(r.sim, 3);
    expect(r.events).toEqual([{ kind: 'card', source: 'idcard', card, arrivedAt: expect.any(Number) }]);
    expect(count(r.sim.receivedLabels(), '30 01')).toBe(1);
  });

  it('a card whose number fails its check digit is a read-error (card-invalid), never a card event', async () => {
    const r = await rig();
    const good = syntheticCard();
    const right = good.idNumber[17];
    const wrong = '0123456789X'.split('').find((c) => c !== right)!;
    expect(gb11643CheckDigit(good.idNumber.slice(0, 17))).toBe(right);
    r.sim.present({ ...good, idNumber: good.idNumber.slice(0, 17) + wrong });
    await waitFor(() => r.events.length > 0, 'an event');
    expect(r.events).toEqual([
      { kind: 'read-error', source: 'idcard', code: 'driver.card-invalid', arrivedAt: expect.any(Number) },
    ]);
    expect(JSON.stringify(r.events)).not.toContain(good.name);
  });

  it('a silent reader times out, the driver reopens the port and then reads', async () => {
    const r = await rig();
    r.sim.inject('silent', 1 + timeouts.idCardRetries);
    await waitFor(
      () => r.states.some((s) => s.state === 'reconnecting' && s.lastError === 'driver.timeout'),
      'reconnecting',
    );
    await waitFor(() => r.driver.status().state === 'open', 'open again');
    const card = syntheticCard();
    r.sim.present(card);
    await waitFor(() => r.events.length > 0, 'an event');
    expect(r.events).toEqual([{ kind: 'card', source: 'idcard', card, arrivedAt: expect.any(Number) }]);
  });

  it('survives unplug and replug at the same path, and reads again', async () => {
    const r = await rig();
    const first = syntheticCard();
    r.sim.present(first);
    await waitFor(() => r.events.length === 1, 'first card');
    r.device.unplug();
    await waitFor(() => r.driver.status().state === 'reconnecting', 'reconnecting');
    expect(r.driver.status().lastError).toBe('driver.disconnected');
    const second = syntheticCard();
    r.sim.present(second);
    r.ports.plugIn(PATH);
    await waitFor(() => r.events.length === 2, 'card after replug');
    expect(r.events[1]).toEqual({ kind: 'card', source: 'idcard', card: second, arrivedAt: expect.any(Number) });
    expect(r.driver.status()).toEqual({ name: 'idcard', state: 'open' });
  });

  it('never sends the fingerprint read (30 10) across a whole session of reads', async () => {
    const r = await rig();
    r.sim.inject('read-fails', 1);
    r.sim.inject('garbage', 4);
    for (let i = 0; i < 4; i++) {
      r.sim.present(syntheticCard());
      await waitFor(() => r.events.length === i + 1, `card ${i}`);
      r.sim.remove();
      await morePolls(r.sim, 2);
    }
    const labels = r.sim.receivedLabels();
    expect(count(labels, '30 01')).toBeGreaterThanOrEqual(4);
    expect(new Set(labels)).toEqual(new Set(['20 01', '20 02', '30 01']));
    expect(labels).not.toContain('30 10');
  });

  it('invalid settings fail for good instead of retrying', async () => {
    for (const options of [{ path: PATH, baudRate: -5 }, { path: '' }]) {
      const ports = new MockSerialPorts();
      ports.plugIn(options.path);
      const driver = new IdCardReaderDriver({ ...options, timeouts, ports });
      await driver.open();
      expect(driver.status()).toEqual({ name: 'idcard', state: 'failed', lastError: 'driver.open-failed' });
      await driver.close();
    }
  });

  it('close() is idempotent and ends in closed; open() on a missing path keeps retrying', async () => {
    const driver = new IdCardReaderDriver({ path: '/dev/serial/by-id/none', timeouts, ports: new MockSerialPorts() });
    const states: DriverStatus[] = [];
    driver.onState((s) => states.push(s));
    await driver.open();
    expect(driver.status()).toMatchObject({ state: 'reconnecting', lastError: 'driver.open-failed' });
    await driver.close();
    await driver.close();
    expect(driver.status().state).toBe('closed');
    expect(states.map((s) => s.state)).toEqual(['opening', 'reconnecting', 'closed']);
  });
});
