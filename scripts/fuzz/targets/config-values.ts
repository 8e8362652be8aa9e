// Config values (firmware/config: rules.ts, schema.ts, store.ts): the text a technician types
// for `passgate config set`, and typed JSON values, for every key (and unknown keys), into a
// store on a real SQLite file. Contract: a value or config.invalid-value / config.unknown-key,
// nothing else; an accepted value validates again unchanged, is stored and read back unchanged,
// and what `config get` shows of it sets the same value again; a refusal never repeats a
// pass-code-like value.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import {
  CONFIG_KEYS,
  type ConfigKey,
  defaultOf,
  displayValue,
  parseValueText,
  specOf,
  validateValue,
} from '../../../firmware/config/schema.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import type { PassgateError } from '../../../firmware/core/errors.js';
import { shorterText } from '../minimise.js';
import { textInputs } from '../mutate.js';
import { allowing, check, type FuzzTarget } from '../target.js';

interface ConfigInput {
  key: string;
  /** 'text': `config set KEY TEXT`; 'json': a typed value (JSON text) for validateValue / set. */
  mode: 'text' | 'json';
  text: string;
}

const ALLOWED = ['config.invalid-value', 'config.unknown-key'];
const EXAMPLES: Partial<Record<ConfigKey, string[]>> = {
  'portal.url': ['https://portal.example:8443/api', 'http://127.0.0.1:1'],
  'portal.publicKey': [`04${'ab'.repeat(64)}`],
  'display.pins': ['{"red":17,"green":27,"yellow":22,"buzzer":23,"relay":24}'],
  timeouts: ['{"verifyDeadlineMs":3000}'],
  'drivers.hid.vendorId': ['0x0c2e'],
  'binding.boundAt': ['2026-11-29T10:00:00.000Z'],
};

/** A run of 12+ digits: pass-code or ID-number like, must never come back in a message. */
const SECRET_LIKE = /[0-9]{12,}/;

function checkRefusal(error: PassgateError, input: string): void {
  const secret = SECRET_LIKE.exec(input)?.[0];
  if (secret === undefined) return;
  check(!`${error.message}${JSON.stringify(error.details)}`.includes(secret), `${error.code} repeats the value`);
}

export function configValuesTarget(): FuzzTarget<ConfigInput> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-fuzz-config-'));
  const store = ConfigStore.open(dir);
  return {
    name: 'config-values',
    seeds: () =>
      CONFIG_KEYS.flatMap((key) => [
        { key, mode: 'text' as const, text: specOf(key).secret ? 'secret-0001' : displayValue(key, defaultOf(key)) },
        { key, mode: 'json' as const, text: JSON.stringify(defaultOf(key)) },
        ...(EXAMPLES[key] ?? []).map((text) => ({ key, mode: 'text' as const, text })),
      ]),
    inputs: (corpus) =>
      fc.record({
        key: fc.oneof(
          { weight: 12, arbitrary: fc.constantFrom(...CONFIG_KEYS) },
          fc.string({ maxLength: 30 }),
          fc.constantFrom('__proto__', 'constructor', 'toString', 'portal', 'portal.', 'Portal.url'),
        ),
        mode: fc.constantFrom('text' as const, 'json' as const),
        text: textInputs(
          corpus.map((e) => e.text),
          4096,
        ),
      }),
    run(input) {
      let parsed: ReturnType<typeof allowing<unknown>>;
      if (input.mode === 'text') {
        parsed = allowing(ALLOWED, () => parseValueText(input.key, input.text));
      } else {
        let value: unknown;
        try {
          value = JSON.parse(input.text);
        } catch {
          return 'json:not-json';
        }
        parsed = allowing(ALLOWED, () => validateValue(input.key, value));
      }
      if (!parsed.ok) {
        checkRefusal(parsed.error, input.text);
        return `${input.mode}:${parsed.outcome}:${specOf(input.key as ConfigKey)?.type ?? 'unknown-key'}`;
      }
      const key = input.key as ConfigKey;
      const value = parsed.value;
      check(isDeepStrictEqual(validateValue(key, value), value), 'an accepted value changes when validated again');
      const shown = displayValue(key, value);
      if (!specOf(key).secret) {
        const again = allowing(ALLOWED, () => parseValueText(key, shown));
        check(again.ok && isDeepStrictEqual(again.value, value), 'what config get shows does not set the same value');
      }
      const stored = allowing(ALLOWED, () => store.set(key, value as never));
      if (!stored.ok) {
        check(stored.error.details.combined === true, `the store refused a valid value: ${stored.error.code}`);
        return `${input.mode}:refused-with-other-settings`;
      }
      check(isDeepStrictEqual(store.get(key), value), 'a stored value reads back different');
      return `${input.mode}:accepted:${specOf(key).type}`;
    },
    smaller: function* (input) {
      for (const text of shorterText(input.text)) yield { ...input, text };
    },
    show: (input) => JSON.stringify(input).slice(0, 2000),
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
