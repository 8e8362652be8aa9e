import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPassgateError } from '../../../../firmware/core/errors.js';
import { decidePassCode } from '../../../../portal-client/mock/domain/decide.js';
import { demoPassCode, seedDemoDataset } from '../../../../portal-client/mock/domain/demo-dataset.js';
import {
  loadOrSeedState,
  parseState,
  STATE_FILE_NAME,
  saveState,
  serializeState,
} from '../../../../portal-client/mock/domain/state-file.js';
import { crypto, DAY, T0 } from './fixtures.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passgate-mock-state-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function devicePublicKey(): Buffer {
  return crypto.sm2GenerateKeyPair().publicKey;
}

describe('state file', () => {
  it('seeds on first run, saves mode 0600, and loads the same state on the next run', async () => {
    const dataDir = join(dir, 'mock');
    const first = await loadOrSeedState(dataDir, { now: () => T0, crypto, seed: 'state-test' });
    expect(first.seeded).toBe(true);
    const info = await stat(join(dataDir, STATE_FILE_NAME));
    expect(info.mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o077).toBe(0);

    const second = await loadOrSeedState(dataDir, { now: () => T0, crypto });
    expect(second.seeded).toBe(false);
    expect(serializeState(second.state)).toBe(serializeState(first.state));
  });

  it('round-trips devices (key as hex), bindings and the master key', async () => {
    const state = seedDemoDataset({ seed: 1, now: () => T0, crypto });
    const key = devicePublicKey();
    expect(state.registry.registerDevice('dev-1', key, 'vendor-demo').ok).toBe(true);
    const venueCode = state.registry.listVenues()[3].venueCode;
    expect(state.registry.bind('dev-1', venueCode).ok).toBe(true);
    await saveState(dir, state);

    const text = await readFile(join(dir, STATE_FILE_NAME), 'utf8');
    expect(text).toContain(key.toString('hex'));
    expect(text).toContain(state.passCodeMasterKey.toString('hex'));

    const { state: loaded } = await loadOrSeedState(dir, { now: () => T0, crypto });
    expect(loaded.registry.getDevice('dev-1')?.publicKey.equals(key)).toBe(true);
    expect(loaded.registry.requireBound('dev-1')).toMatchObject({ ok: true, venue: { venueCode } });
    expect(loaded.passCodeMasterKey.equals(state.passCodeMasterKey)).toBe(true);
    expect(loaded.demo).toEqual(state.demo);

    // A pass code issued before the restart still opens after it.
    const code = demoPassCode(state, 'green', { now: () => T0, ttlMs: 60_000, crypto });
    const decision = decidePassCode(code, loaded.registry.getVenue(venueCode)!, {
      masterKey: loaded.passCodeMasterKey,
      now: () => T0,
      crypto,
      residents: loaded.residents,
    });
    expect(decision.verdict.opinion).toBe('PASS');
  });

  it('refreshes the demo residents on load (a file loaded 20 days later still passes green)', async () => {
    const first = await loadOrSeedState(dir, { now: () => T0, crypto, seed: 'refresh' });
    const later = T0 + 20 * DAY;
    const { state } = await loadOrSeedState(dir, { now: () => later, crypto });
    const green = state.residents.byRef(first.state.demo.residents.green)!;
    expect(green.skm?.updatedAt).toBe(later - 3_600_000);
  });

  it('overwrites atomically and leaves no temp files', async () => {
    const state = seedDemoDataset({ seed: 2, now: () => T0, crypto });
    await saveState(dir, state);
    state.registry.registerDevice('dev-2', devicePublicKey(), 'vendor-demo');
    await saveState(dir, state);
    expect(await readdir(dir)).toEqual([STATE_FILE_NAME]);
    expect((await stat(join(dir, STATE_FILE_NAME))).mode & 0o777).toBe(0o600);
    const { state: loaded } = await loadOrSeedState(dir, { now: () => T0, crypto });
    expect(loaded.registry.getDevice('dev-2')).toBeDefined();
  });

  it('refuses a corrupt file with config.storage and does not overwrite it', async () => {
    const path = join(dir, STATE_FILE_NAME);
    await writeFile(path, '{"format":"passgate-mock-state","version":1', { mode: 0o600 });
    await expect(loadOrSeedState(dir, { now: () => T0, crypto })).rejects.toSatisfy((e) =>
      isPassgateError(e, 'config.storage'),
    );
    expect(await readFile(path, 'utf8')).toBe('{"format":"passgate-mock-state","version":1');
  });

  it('rejects every kind of invalid content with config.storage, never with another error', () => {
    const good = JSON.parse(serializeState(seedDemoDataset({ seed: 3, now: () => T0, crypto })));
    const variants: unknown[] = [
      null,
      [],
      { ...good, format: 'other' },
      { ...good, version: 2 },
      { ...good, registry: null },
      { ...good, registry: { ...good.registry, vendors: 'x' } },
      { ...good, registry: { ...good.registry, vendors: [1] } },
      {
        ...good,
        registry: { ...good.registry, devices: [{ deviceId: 'd', publicKey: 'zz', vendorId: 'vendor-demo' }] },
      },
      {
        ...good,
        registry: { ...good.registry, devices: [{ deviceId: 'd', publicKey: '04', vendorId: 'vendor-demo' }] },
      },
      { ...good, registry: { ...good.registry, bindings: [{ deviceId: 'nobody', venueCode: 'x', boundAt: 0 }] } },
      { ...good, registry: { ...good.registry, venues: [{ ...good.registry.venues[0], natValidityHours: 12 }] } },
      { ...good, residents: [{ ...good.residents[0], idNumber: '123' }] },
      { ...good, residents: [...good.residents, good.residents[0]] },
      { ...good, passCodeMasterKey: 'abcd' },
      { ...good, demo: { ...good.demo, residents: { green: 'f'.repeat(32) } } },
      { ...good, demo: { ...good.demo, unknownPerson: { name: 'x' } } },
    ];
    for (const variant of variants) {
      try {
        parseState(JSON.stringify(variant), { now: () => T0 });
        expect.unreachable();
      } catch (error) {
        expect(isPassgateError(error, 'config.storage')).toBe(true);
      }
    }
    expect(() => parseState(JSON.stringify(good), { now: () => T0 })).not.toThrow();
  });

  it('reports an unwritable directory as config.storage', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, 'x');
    const state = seedDemoDataset({ seed: 4, now: () => T0, crypto });
    await expect(saveState(join(blocker, 'sub'), state)).rejects.toSatisfy((e) => isPassgateError(e, 'config.storage'));
  });
});
