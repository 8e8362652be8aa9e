// The mock portal's state file: `state.json` in the mock's data directory. It holds the portal's
// synthetic data (registries, residents, pass-code master key, bindings), never anything of a
// device. Buffers are hex. Writes are atomic (temp file, fsync, rename, fsync of the directory)
// and the file is mode 0600: it holds app secrets and the master key.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory, writeFileAtomic } from '../../../firmware/core/atomic-file.js';
import { PassgateError } from '../../../firmware/core/errors.js';
import type { CryptoSuite } from '../../crypto/suite.js';
import { isPersonIdentity, type PersonIdentity } from './decide.js';
import { refreshDemoResidents, seedDemoDataset } from './demo-dataset.js';
import type { MockPortalState } from './portal-state.js';
import { PortalRegistry, type RegistrySnapshot } from './registry.js';
import { isResident, isResidentRef, type Resident, ResidentDirectory } from './residents.js';
import type { Seed } from './seeded-random.js';

export const STATE_FILE_NAME = 'state.json';
const FORMAT = 'passgate-mock-state';
const VERSION = 1;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** The JSON shape of state.json (version 1). */
export interface StateFileV1 {
  format: typeof FORMAT;
  version: typeof VERSION;
  registry: {
    vendors: RegistrySnapshot['vendors'];
    devices: { deviceId: string; publicKey: string; vendorId: string }[];
    venues: RegistrySnapshot['venues'];
    bindings: RegistrySnapshot['bindings'];
  };
  residents: Resident[];
  passCodeMasterKey: string;
  demo: { residents: Record<string, string>; unknownPerson: PersonIdentity };
}

export function serializeState(state: MockPortalState): string {
  const snapshot = state.registry.snapshot();
  const file: StateFileV1 = {
    format: FORMAT,
    version: VERSION,
    registry: {
      vendors: snapshot.vendors,
      devices: snapshot.devices.map((d) => ({
        deviceId: d.deviceId,
        publicKey: d.publicKey.toString('hex'),
        vendorId: d.vendorId,
      })),
      venues: snapshot.venues,
      bindings: snapshot.bindings,
    },
    residents: state.residents.list(),
    passCodeMasterKey: state.passCodeMasterKey.toString('hex'),
    demo: { residents: { ...state.demo.residents }, unknownPerson: { ...state.demo.unknownPerson } },
  };
  return JSON.stringify(file, null, 2) + '\n';
}

const corrupt = (reason: string) =>
  new PassgateError('config.storage', 'mock state file is not valid', { file: STATE_FILE_NAME, reason });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const HEX = /^(?:[0-9a-f]{2})*$/;

function hexBuffer(value: unknown, what: string): Buffer {
  if (typeof value !== 'string' || !HEX.test(value)) throw corrupt(`${what} is not hex`);
  return Buffer.from(value, 'hex');
}

function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw corrupt(`${what} is not a list`);
  return value;
}

/**
 * Parses and validates state.json's text with the registry's and directory's own rules.
 * Throws PassgateError 'config.storage' (details.reason says what) for anything else.
 */
export function parseState(text: string, options: { now: () => number }): MockPortalState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw corrupt('not JSON');
  }
  if (!isObject(raw) || raw.format !== FORMAT) throw corrupt('not a mock state file');
  if (raw.version !== VERSION) throw corrupt('unsupported version');
  const reg = raw.registry;
  if (!isObject(reg)) throw corrupt('registry missing');
  const devices = array(reg.devices, 'devices').map((d) => {
    if (!isObject(d)) throw corrupt('device is not an object');
    return { deviceId: d.deviceId, publicKey: hexBuffer(d.publicKey, 'device key'), vendorId: d.vendorId };
  });
  const snapshot = {
    vendors: array(reg.vendors, 'vendors'),
    devices,
    venues: array(reg.venues, 'venues'),
    bindings: array(reg.bindings, 'bindings'),
  } as RegistrySnapshot;
  for (const list of [snapshot.vendors, snapshot.venues, snapshot.bindings]) {
    if (!list.every(isObject)) throw corrupt('registry entry is not an object');
  }

  let registry: PortalRegistry;
  try {
    registry = new PortalRegistry({ now: options.now }, snapshot);
  } catch {
    throw corrupt('registry entries invalid');
  }

  const residentList = array(raw.residents, 'residents');
  if (!residentList.every(isResident)) throw corrupt('resident invalid');
  const residents = new ResidentDirectory();
  for (const resident of residentList) if (!residents.add(resident)) throw corrupt('duplicate resident');

  const masterKey = hexBuffer(raw.passCodeMasterKey, 'master key');
  if (masterKey.length !== 32) throw corrupt('master key is not 32 bytes');

  const demo = raw.demo;
  if (!isObject(demo) || !isObject(demo.residents) || !isPersonIdentity(demo.unknownPerson))
    throw corrupt('demo index invalid');
  const demoResidents: Record<string, string> = {};
  for (const [keyword, ref] of Object.entries(demo.residents)) {
    if (!isResidentRef(ref) || !residents.byRef(ref)) throw corrupt('demo index names no resident');
    demoResidents[keyword] = ref;
  }
  const unknownPerson = { name: demo.unknownPerson.name, idNumber: demo.unknownPerson.idNumber };
  return { registry, residents, passCodeMasterKey: masterKey, demo: { residents: demoResidents, unknownPerson } };
}

function storageError(action: string, cause: unknown): PassgateError {
  const errno = isObject(cause) && typeof cause.code === 'string' ? cause.code : undefined;
  return new PassgateError(
    'config.storage',
    `mock state file could not be ${action}`,
    { file: STATE_FILE_NAME, errno },
    { cause },
  );
}

/** Writes state.json atomically, mode 0600, creating the directory (0700) if needed. */
export async function saveState(dir: string, state: MockPortalState): Promise<void> {
  const text = serializeState(state);
  try {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await writeFileAtomic(join(dir, STATE_FILE_NAME), text, FILE_MODE);
  } catch (cause) {
    throw storageError('written', cause);
  }
  // Persist the rename itself; some filesystems refuse fsync on a directory, which is no error here.
  await syncDirectory(dir).catch(() => undefined);
}

export interface LoadOrSeedOptions {
  now: () => number;
  crypto: CryptoSuite;
  /** Seed of the demo dataset on first run; default 32 random bytes (unpredictable secrets). */
  seed?: Seed;
}

export interface LoadedState {
  state: MockPortalState;
  /** True when state.json did not exist and a fresh dataset was seeded and saved. */
  seeded: boolean;
}

/**
 * Loads `dir/state.json`, or on first run seeds the demo dataset and saves it. On load the demo
 * residents' health records are re-applied relative to now (see refreshDemoResidents).
 * Throws PassgateError 'config.storage' for an unreadable or invalid file (never overwrites it).
 */
export async function loadOrSeedState(dir: string, options: LoadOrSeedOptions): Promise<LoadedState> {
  let text: string | undefined;
  try {
    text = await readFile(join(dir, STATE_FILE_NAME), 'utf8');
  } catch (cause) {
    if (!(isObject(cause) && cause.code === 'ENOENT')) throw storageError('read', cause);
  }
  if (text === undefined) {
    const state = seedDemoDataset({
      seed: options.seed ?? options.crypto.randomBytes(32),
      now: options.now,
      crypto: options.crypto,
    });
    await saveState(dir, state);
    return { state, seeded: true };
  }
  const state = parseState(text, { now: options.now });
  refreshDemoResidents(state, options.now());
  return { state, seeded: false };
}
