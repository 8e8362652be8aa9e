// The config store: the settings of firmware/config/keys.ts in one SQLite database,
// `<dataDir>/passgate.db` (opened by database.ts), shared by the daemon and the CLI.
//
// Config only. The API takes schema keys and validated values, nothing else: no scan, pass
// code, name or ID number may ever be stored here (standard 8.1.2), and there is deliberately
// no generic "put a row" method that could be used for it.
import type Database from 'better-sqlite3';
import { isPassgateError, PassgateError } from '../core/errors.js';
import { DEFAULT_TIMEOUTS, type TimeoutTable } from '../core/timeouts.js';
import { checkCombinedRules, type SettingsReader } from './combined-rules.js';
import { type Db, type OpenMode, openDatabase, storageError } from './database.js';
import {
  CONFIG_KEYS,
  type ConfigKey,
  type ConfigType,
  type ConfigValue,
  type ConfigValues,
  defaultOf,
  displayValue,
  isConfigKey,
  parseValueText,
  specOf,
  unknownKeyError,
  validateValue,
} from './schema.js';

export interface ConfigStoreOptions {
  /** configPollMs (watch interval) and configBusyMs (SQLite busy timeout); defaults from timeouts.ts. */
  timeouts?: Partial<Pick<TimeoutTable, 'configPollMs' | 'configBusyMs'>>;
  /** 'read-only': open an existing database only, create nothing, write nothing (default 'create'). */
  mode?: OpenMode;
}

/** One line of `passgate config list`. Secrets carry "(set)"/"(unset)" in `value`, never the text. */
export interface ConfigEntry {
  key: ConfigKey;
  type: ConfigType;
  /** The value as printed; masked for secrets. */
  value: string;
  /** The typed value; for secrets the same mask as `value`. */
  json: unknown;
  /** True when nothing valid is stored and the default applies. */
  isDefault: boolean;
  /** True when a stored value no longer passes the schema and the default is used instead. */
  storedInvalid: boolean;
  secret: boolean;
  description: string;
}

export interface StorageInfo {
  path: string;
  schemaVersion: number;
  journalMode: string;
  synchronous: string;
  busyTimeoutMs: number;
  watching: boolean;
}

const SYNCHRONOUS_NAMES: Record<number, string> = { 0: 'off', 1: 'normal', 2: 'full', 3: 'extra' };

export type ChangeListener = (changedKeys: ConfigKey[]) => void;
export type ErrorListener = (error: PassgateError) => void;

export class ConfigStore {
  /** Absolute path of the database file. */
  readonly path: string;
  private readonly db: Db;
  private readonly pollMs: number;
  private readonly selectOne: Database.Statement<[string], { value: string }>;
  private readonly selectAll: Database.Statement<[], { key: string; value: string }>;
  private readonly upsert: Database.Statement<[string, string]>;
  private readonly remove: Database.Statement<[string]>;
  /** Prepared once: the watch polls it twice a second for the daemon's whole life. */
  private readonly selectDataVersion: Database.Statement<[], number>;
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly errorListeners = new Set<ErrorListener>();
  /** Canonical JSON of every key's effective value, as last seen; the base of change events. */
  private snapshot: Map<ConfigKey, string>;
  private lastDataVersion: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(path: string, db: Db, pollMs: number) {
    this.path = path;
    this.db = db;
    this.pollMs = pollMs;
    this.selectOne = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.selectAll = db.prepare('SELECT key, value FROM settings');
    this.upsert = db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.remove = db.prepare('DELETE FROM settings WHERE key = ?');
    this.selectDataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.lastDataVersion = this.dataVersion();
    this.snapshot = this.readSnapshot();
  }

  /**
   * Opens (creating if needed, unless read-only) `<dataDir>/passgate.db` and brings it to the
   * current schema. Throws PassgateError 'config.no-database' when read-only finds none;
   * 'config.storage' when the directory or file cannot be used or the file is not a database;
   * 'config.permission-denied' when this user may not use them; 'config.newer-schema' when it
   * was written by a newer passgate.
   */
  static open(dataDir: string, options: ConfigStoreOptions = {}): ConfigStore {
    const pollMs = options.timeouts?.configPollMs ?? DEFAULT_TIMEOUTS.configPollMs;
    const busyMs = options.timeouts?.configBusyMs ?? DEFAULT_TIMEOUTS.configBusyMs;
    const { path, db } = openDatabase(dataDir, busyMs, undefined, options.mode);
    return new ConfigStore(path, db, pollMs);
  }

  /** The key's value: the stored one, or the default when unset (or stored before a rule tightened). */
  get<K extends ConfigKey>(key: K): ConfigValue<K> {
    if (!isConfigKey(key)) throw unknownKeyError(key);
    const row = this.guard('read', () => this.selectOne.get(key));
    const decoded = row === undefined ? undefined : decodeStored(key, row.value);
    return decoded === undefined ? defaultOf(key) : decoded.value;
  }

  /** Every key's value at once, from one consistent read. */
  getAll(): ConfigValues {
    const stored = this.readStored();
    const values: Partial<Record<ConfigKey, unknown>> = {};
    for (const key of CONFIG_KEYS) values[key] = effectiveValue(key, stored);
    return values as ConfigValues;
  }

  /** Validates and stores one value. Throws 'config.unknown-key' / 'config.invalid-value' / 'config.storage'. */
  set<K extends ConfigKey>(key: K, value: ConfigValue<K>): void {
    this.setMany({ [key]: value } as Partial<ConfigValues>);
  }

  /** Validates every value first, then writes them all in one transaction: all or nothing. */
  setMany(values: Partial<ConfigValues>): void {
    const rows: [ConfigKey, string][] = [];
    const next = new Map<ConfigKey, unknown>();
    for (const [key, value] of Object.entries(values)) {
      if (!isConfigKey(key)) throw unknownKeyError(key);
      const valid = validateValue(key, value);
      next.set(key, valid);
      rows.push([key, JSON.stringify(valid)]);
    }
    if (rows.length === 0) return;
    this.checkCombined(next);
    this.write('write settings', () => {
      for (const [key, text] of rows) this.upsert.run(key, text);
    });
  }

  /** Forgets stored values, so the keys read as their defaults again. */
  reset(...keys: ConfigKey[]): void {
    for (const key of keys) if (!isConfigKey(key)) throw unknownKeyError(key);
    if (keys.length === 0) return;
    this.checkCombined(new Map(keys.map((key) => [key, defaultOf(key)])));
    this.write('reset settings', () => {
      for (const key of keys) this.remove.run(key);
    });
  }

  /**
   * For the CLI: parses the text a person typed into the key's type, validates and stores it.
   * Returns the key (typed). Throws only PassgateError.
   */
  parseAndSet(key: string, text: string): ConfigKey {
    if (!isConfigKey(key)) throw unknownKeyError(key);
    this.setMany({ [key]: parseValueText(key, text) } as Partial<ConfigValues>);
    return key;
  }

  /** Every key in schema order, secrets masked. */
  list(): ConfigEntry[] {
    const stored = this.readStored();
    return CONFIG_KEYS.map((key) => {
      const spec = specOf(key);
      const found = stored.get(key);
      const value = effectiveValue(key, stored);
      const shown = displayValue(key, value);
      return {
        key,
        type: spec.type,
        value: shown,
        json: spec.secret ? shown : value,
        isDefault: found?.decoded === undefined,
        storedInvalid: found !== undefined && found.decoded === undefined,
        secret: spec.secret === true,
        description: spec.description,
      };
    });
  }

  /**
   * Calls `listener` with the keys whose values changed: at once for this store's own writes,
   * and within configPollMs for another process's writes while `watch()` is on. Returns an
   * unsubscribe function.
   */
  onChange(listener: ChangeListener): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Errors of the background poll and of change listeners (the poll keeps running). */
  onError(listener: ErrorListener): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** Starts polling for other processes' changes (unref'd timer). Idempotent. */
  watch(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setInterval(() => this.poll(), this.pollMs);
    this.timer.unref();
  }

  /** Stops polling. Idempotent. */
  unwatch(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Checks for another process's changes now (what the watch timer does each tick). */
  poll(): void {
    if (this.closed) return;
    try {
      const version = this.dataVersion();
      if (version === this.lastDataVersion) return;
      this.lastDataVersion = version;
      this.refresh();
    } catch (error) {
      this.reportError(storageError('poll for changes', error));
    }
  }

  /** How the database is set up, for `passgate status` and tests. */
  storageInfo(): StorageInfo {
    return this.guard('read storage settings', () => ({
      path: this.path,
      schemaVersion: this.db.pragma('user_version', { simple: true }) as number,
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous: SYNCHRONOUS_NAMES[this.db.pragma('synchronous', { simple: true }) as number] ?? 'unknown',
      busyTimeoutMs: this.db.pragma('busy_timeout', { simple: true }) as number,
      watching: this.timer !== undefined,
    }));
  }

  /** Stops watching and closes the database. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.unwatch();
    this.closed = true;
    this.db.close();
  }

  // ---- internals --------------------------------------------------------------------------------

  /** The rules across keys (combined-rules.ts), on the settings as `next` would leave them. */
  private checkCombined(next: ReadonlyMap<ConfigKey, unknown>): void {
    const get: SettingsReader = <K extends ConfigKey>(key: K) =>
      (next.has(key) ? next.get(key) : this.get(key)) as ConfigValue<K>;
    checkCombinedRules([...next.keys()], get);
  }

  private dataVersion(): number {
    return this.selectDataVersion.get() as number;
  }

  private guard<T>(action: string, work: () => T): T {
    if (this.closed) throw new PassgateError('config.storage', 'config database: the store is closed');
    try {
      return work();
    } catch (error) {
      throw storageError(action, error);
    }
  }

  /**
   * IMMEDIATE takes the write lock at BEGIN, so the busy timeout applies; a deferred transaction
   * that reads first and then writes can fail at once with SQLITE_BUSY when the other process
   * writes meanwhile.
   */
  private write(action: string, work: () => void): void {
    this.guard(action, () => this.db.transaction(work).immediate());
    this.refresh();
  }

  /** Stored rows of known keys; `decoded` undefined when the row no longer parses or validates. */
  private readStored(): StoredRows {
    const rows = this.guard('read', () => this.selectAll.all());
    const stored: StoredRows = new Map();
    for (const row of rows) {
      // Keys of an older schema are ignored, not an error: a downgrade-free upgrade path.
      if (!isConfigKey(row.key)) continue;
      stored.set(row.key, { decoded: decodeStored(row.key, row.value) });
    }
    return stored;
  }

  private readSnapshot(): Map<ConfigKey, string> {
    const stored = this.readStored();
    const snapshot = new Map<ConfigKey, string>();
    for (const key of CONFIG_KEYS) snapshot.set(key, JSON.stringify(effectiveValue(key, stored)));
    return snapshot;
  }

  /** Re-reads every value and tells listeners which ones differ from the last snapshot. */
  private refresh(): void {
    let next: Map<ConfigKey, string>;
    try {
      next = this.readSnapshot();
    } catch (error) {
      this.reportError(storageError('read settings', error));
      return;
    }
    const changed = CONFIG_KEYS.filter((key) => next.get(key) !== this.snapshot.get(key));
    this.snapshot = next;
    if (changed.length === 0) return;
    for (const listener of [...this.changeListeners]) {
      try {
        listener(changed);
      } catch (error) {
        this.reportError(
          isPassgateError(error)
            ? error
            : new PassgateError('config.storage', 'a config change listener threw', {}, { cause: error }),
        );
      }
    }
  }

  private reportError(error: PassgateError): void {
    for (const listener of [...this.errorListeners]) {
      try {
        listener(error);
      } catch {
        // An error listener that throws has nobody left to tell.
      }
    }
  }
}

type StoredRows = Map<ConfigKey, { decoded: { value: unknown } | undefined }>;

/** The stored JSON text as a valid typed value, or undefined when it does not parse or validate. */
function decodeStored<K extends ConfigKey>(key: K, text: string): { value: ConfigValue<K> } | undefined {
  try {
    return { value: validateValue(key, JSON.parse(text)) };
  } catch {
    return undefined;
  }
}

function effectiveValue(key: ConfigKey, stored: StoredRows): unknown {
  const decoded = stored.get(key)?.decoded;
  return decoded === undefined ? defaultOf(key) : decoded.value;
}
