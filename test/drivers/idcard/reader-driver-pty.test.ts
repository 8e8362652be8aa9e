// The ID-card reader driver on the real serialport path, over a socat pty pair with the simulated
// reader on the peer end. The behaviour in detail is in reader-driver.test.ts (mock binding).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IdCardReaderDriver } from '../../../drivers/idcard/reader-driver.js';
import type { InputEvent } from '../../../drivers/input.js';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { openPtyPair } from '../../../scripts/lab/pty-pair.js';
import { SimulatedSamReader, syntheticCard } from '../../../scripts/lab/simulated-sam-reader.js';
import { until } from '../../support/polling.js';

// The default command timeout (generous: the machine is shared), quick polls and reopens.
const timeouts = timeoutTable({
  idCardPollMs: 20,
  driverReopenInitialMs: 20,
  driverReopenMaxMs: 100,
  driverPathPollMs: 20,
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulatedReaderOnPty(dir: string) {
  const pair = await openPtyPair(dir);
  const sim = new SimulatedSamReader({ path: pair.peerPath });
  await sim.open();
  const unplug = async () => {
    await sim.close();
    await pair.close();
  };
  cleanups.push(unplug);
  return { pair, sim, unplug };
}

describe('IdCardReaderDriver over a socat pty pair', () => {
  it('reads a card, survives unplug and replug at the same path, and reads again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idcard-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const first = await simulatedReaderOnPty(dir);
    const driver = new IdCardReaderDriver({ path: first.pair.devicePath, timeouts });
    cleanups.push(() => driver.close());
    const events: InputEvent[] = [];
    driver.onEvent((e) => events.push(e));
    await driver.open();
    expect(driver.status().state).toBe('open');
    const card = syntheticCard();
    first.sim.present(card);
    await until(() => events.length === 1, undefined, 'the first card');
    expect(events[0]).toEqual({ kind: 'card', source: 'idcard', card, arrivedAt: expect.any(Number) });
    expect(first.sim.receivedLabels()).not.toContain('30 10');

    await first.unplug();
    await until(() => driver.status().state === 'reconnecting', undefined, 'reconnecting');
    expect(driver.status().lastError).toBe('driver.disconnected');
    const second = await simulatedReaderOnPty(dir);
    const next = syntheticCard();
    second.sim.present(next);
    await until(() => events.length === 2, undefined, 'the card after the replug');
    expect(events[1]).toEqual({ kind: 'card', source: 'idcard', card: next, arrivedAt: expect.any(Number) });
    expect(driver.status()).toEqual({ name: 'idcard', state: 'open' });
  });

  it('invalid settings fail for good instead of retrying', async () => {
    for (const options of [{ path: '/dev/null', baudRate: -5 }, { path: '' }]) {
      const driver = new IdCardReaderDriver({ ...options, timeouts });
      await driver.open();
      expect(driver.status()).toEqual({ name: 'idcard', state: 'failed', lastError: 'driver.open-failed' });
      await driver.close();
    }
  });

  it('open() on a missing path keeps retrying; close() ends in closed', async () => {
    const driver = new IdCardReaderDriver({ path: join(mkdtempSync(join(tmpdir(), 'idcard-')), 'none'), timeouts });
    await driver.open();
    expect(driver.status()).toMatchObject({ state: 'reconnecting', lastError: 'driver.open-failed' });
    await driver.close();
    expect(driver.status().state).toBe('closed');
  });
});
