// Rules that span several keys: the checks a part applies when the daemon builds it from several
// settings together (the display backend from display.*, the portal transport from portal.url and
// its dev flag). The store runs a rule whenever a write (set or reset) touches one of its keys, on
// the values as they will be after the write, so `passgate config set` refuses exactly what the
// daemon would refuse; each rule calls the very function the daemon calls. Single-key checks with
// the same aim live with their key (display.patterns: json-values.ts checkPatterns).
import { checkPortalUrl } from '../../portal-client/transport.js';
import type { DisplayBackendOptions } from '../../ui-led/create-backend.js';
import { createDisplayBackend } from '../../ui-led/create-backend.js';
import { isPassgateError, PassgateError } from '../core/errors.js';
import type { ConfigKey, ConfigValue } from './keys.js';

/** Reads one setting: the store's get, or the values a write is about to leave. */
export type SettingsReader = <K extends ConfigKey>(key: K) => ConfigValue<K>;

/** The display.* settings as ui-led's createDisplayBackend takes them (the daemon's and selftest's display). */
export function displayBackendSettings(
  get: SettingsReader,
): Pick<DisplayBackendOptions, 'backend' | 'pins' | 'gpioRoot' | 'gpioChip' | 'serialPath'> {
  return {
    backend: get('display.backend'),
    pins: get('display.pins'),
    gpioRoot: get('display.gpioRoot'),
    gpioChip: get('display.gpioChip'),
    serialPath: get('display.serialPath'),
  };
}

interface CombinedRule {
  /** The keys whose change makes the rule run. */
  covers(key: ConfigKey): boolean;
  /** Throws PassgateError 'config.invalid-value' naming the key (details.key) to change. */
  check(get: SettingsReader): void;
}

/** Backends are built, never opened, by the check: their constructors touch no device. */
const NOWHERE = { write: () => true };
const NO_PORT = () => Promise.reject(new PassgateError('display.backend-failed', 'a config check opens no port'));

const RULES: readonly CombinedRule[] = [
  {
    covers: (key) => key.startsWith('display.'),
    check: (get) =>
      void createDisplayBackend({ ...displayBackendSettings(get), stream: NOWHERE, openSerialPort: NO_PORT }),
  },
  {
    covers: (key) => key === 'portal.url' || key === 'portal.allowInsecureHttp',
    check(get) {
      const url = get('portal.url');
      if (url === '') return;
      try {
        checkPortalUrl(url, get('portal.allowInsecureHttp'));
      } catch (error) {
        if (!isPassgateError(error, 'portal.insecure-url')) throw error;
        throw new PassgateError('config.invalid-value', `portal.url: ${error.message}`, { key: 'portal.url' });
      }
    },
  },
];

/**
 * Runs every rule that covers one of `changed` on the settings `get` reads. Throws PassgateError
 * 'config.invalid-value' with details.key and details.combined = true.
 */
export function checkCombinedRules(changed: readonly ConfigKey[], get: SettingsReader): void {
  for (const rule of RULES) {
    if (!changed.some((key) => rule.covers(key))) continue;
    try {
      rule.check(get);
    } catch (error) {
      if (!isPassgateError(error, 'config.invalid-value')) throw error;
      throw new PassgateError(
        'config.invalid-value',
        `${error.message} (together with the other settings)`,
        { ...error.details, combined: true },
        { cause: error },
      );
    }
  }
}
