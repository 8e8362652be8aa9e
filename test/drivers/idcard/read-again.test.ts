// A card the gate could not take (busy, queue full) must not be lost while it lies on the reader:
// the reader reads a card left on it only once, so the gate asks the driver to read it again.
import { afterEach, describe, expect, it } from 'vitest';
import { MockIdCardReader } from '../../../drivers/idcard/mock-reader.js';
import { IdCardReaderDriver } from '../../../drivers/idcard/reader-driver.js';
import type { InputEvent } from '../../../drivers/input.js';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { SimulatedSamReader, syntheticCard } from '../../../scripts/lab/simulated-sam-reader.js';
import { MockSerialPorts } from '../../support/mock-serial-ports.js';
import { until } from '../../support/polling.js';

const timeouts = timeoutTable({
  idCardCommandMs: 600,
  idCardRetries: 2,
  idCardPollMs: 20,
  driverReopenInitialMs: 20,
  driverReopenMaxMs: 100,
  driverPathPollMs: 20,
});
const PATH = '/dev/serial/by-id/usb-ReadAgain_Reader-if00';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function readerRig() {
  const ports = new MockSerialPorts();
  const sim = new SimulatedSamReader();
  sim.attach(ports.plugIn(PATH));
  const driver = new IdCardReaderDriver({ path: PATH, timeouts, ports });
  const events: InputEvent[] = [];
  driver.onEvent((e) => events.push(e));
  cleanups.push(async () => {
    await driver.close();
    await sim.close();
  });
  await driver.open();
  return { sim, driver, events };
}

const finds = (sim: SimulatedSamReader) => sim.receivedLabels().filter((l) => l === '20 01').length;
const reads = (sim: SimulatedSamReader) => sim.receivedLabels().filter((l) => l === '30 01').length;

/** Waits for `n` more find polls: proof that the driver had the chance to read and did not. */
async function morePolls(sim: SimulatedSamReader, n: number): Promise<void> {
  const target = finds(sim) + n;
  await until(() => finds(sim) >= target, 5000, `${n} polls`);
}

describe('IdCardReaderDriver.readAgain', () => {
  it('reads the card still on the reader once more, with a new arrival time; then again only when asked', async () => {
    const { sim, driver, events } = await readerRig();
    const card = syntheticCard();
    sim.present(card);
    await until(() => events.length === 1, 5000, 'the card');
    await morePolls(sim, 3);
    expect(events).toHaveLength(1);
    driver.readAgain();
    await until(() => events.length === 2, 5000, 'the card read again');
    expect(events[1]).toMatchObject({ kind: 'card', card });
    expect(events[1].arrivedAt).toBeGreaterThan(events[0].arrivedAt);
    await morePolls(sim, 3);
    expect(events).toHaveLength(2);
    expect(reads(sim)).toBe(2);
  });

  it('with no card on the reader it reads nothing, and a card put down later is read once as usual', async () => {
    const { sim, driver, events } = await readerRig();
    sim.present(syntheticCard());
    await until(() => events.length === 1, 5000, 'the card');
    sim.remove();
    await morePolls(sim, 2);
    driver.readAgain();
    await morePolls(sim, 3);
    expect(events).toHaveLength(1);
    sim.present(syntheticCard());
    await until(() => events.length === 2, 5000, 'the next card');
    await morePolls(sim, 3);
    expect(events).toHaveLength(2);
  });

  it('a closed driver ignores it', async () => {
    const { driver } = await readerRig();
    await driver.close();
    expect(() => driver.readAgain()).not.toThrow();
  });
});

describe('MockIdCardReader.readAgain', () => {
  it('emits the card lying on it again (after the call returns), nothing once it is removed', async () => {
    let now = 50;
    const reader = new MockIdCardReader('cards', { now: () => now });
    const events: InputEvent[] = [];
    reader.onEvent((e) => events.push(e));
    await reader.open();
    const card = syntheticCard();
    reader.present(card);
    now = 80;
    reader.readAgain();
    expect(events).toHaveLength(1); // a real reader answers later too: never inside the caller
    await until(() => events.length === 2, 1000, 'the card again');
    expect(events).toEqual([
      { kind: 'card', source: 'cards', card, arrivedAt: 50 },
      { kind: 'card', source: 'cards', card, arrivedAt: 80 },
    ]);
    reader.remove();
    reader.readAgain();
    await new Promise((r) => setImmediate(r));
    expect(events).toHaveLength(2);
  });
});
