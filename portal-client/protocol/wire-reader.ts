// Strict readers for untrusted JSON. Every failure is a PassgateError `protocol.malformed` naming
// the field, never its value (a value could be personal data).
import { PassgateError } from '../../firmware/core/errors.js';

export type JsonObject = Record<string, unknown>;

function malformed(field: string, why: string): PassgateError {
  return new PassgateError('protocol.malformed', `field ${field}: ${why}`, { field });
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new PassgateError('protocol.malformed', 'body is not JSON', { length: text.length });
  }
}

/** An object whose keys are exactly `required` plus any of `optional`. */
export function readObject(
  value: unknown,
  field: string,
  required: readonly string[],
  optional: readonly string[] = [],
): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(field, 'not an object');
  const obj = value as JsonObject;
  for (const key of required) if (!(key in obj)) throw malformed(`${field}.${key}`, 'missing');
  // The unexpected key is not named: an untrusted peer could put personal data in a key.
  const unexpected = Object.keys(obj).filter((key) => !required.includes(key) && !optional.includes(key)).length;
  if (unexpected > 0) throw malformed(field, `${unexpected} unexpected key(s)`);
  return obj;
}

export function readString(
  obj: JsonObject,
  key: string,
  opts: { max: number; min?: number; pattern?: RegExp },
): string {
  const value = obj[key];
  if (typeof value !== 'string') throw malformed(key, 'not a string');
  const length = [...value].length;
  if (length > opts.max || length < (opts.min ?? 0)) throw malformed(key, 'bad length');
  if (opts.pattern && !opts.pattern.test(value)) throw malformed(key, 'bad format');
  return value;
}

export function readInt(obj: JsonObject, key: string, min: number, max: number): number {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw malformed(key, 'not an integer in range');
  }
  return value;
}

export function readBool(obj: JsonObject, key: string): boolean {
  const value = obj[key];
  if (typeof value !== 'boolean') throw malformed(key, 'not a boolean');
  return value;
}

export function readEnum<T extends string | number | null>(obj: JsonObject, key: string, allowed: readonly T[]): T {
  const value = obj[key] as T;
  if (!allowed.includes(value)) throw malformed(key, 'not an allowed value');
  return value;
}

export const HEX_32 = /^[0-9a-f]{32}$/;
export const HEX_64 = /^[0-9a-f]{64}$/;
export const HEX_ANY = /^(?:[0-9a-f]{2})+$/;
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
