// The forms of the config's text values beyond "one line of at most N characters": ids, absolute
// paths, printable tokens, and the refinements that need more than a pattern (a real date, an
// http(s) URL without credentials, a PEM certificate). Each returns the broken rule in words.

/** Device ids, venue codes and request ids: they go into URLs and logs. */
export const MAX_ID_LENGTH = 64;
export const ID_TEXT = { pattern: /^[A-Za-z0-9_-]*$/, patternHint: 'letters, digits, "_" or "-"' } as const;
export const ABSOLUTE_PATH = { pattern: /^\/.*$/, patternHint: 'an absolute path' } as const;
export const ABSOLUTE_PATH_OR_EMPTY = { pattern: /^(\/.*)?$/, patternHint: 'an absolute path, or empty' } as const;
export const PRINTABLE_TOKEN = { pattern: /^[\x21-\x7e]*$/, patternHint: 'printable ASCII without spaces' } as const;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function isoTimeOrEmpty(value: string): string | undefined {
  if (value === '') return undefined;
  return ISO_TIME.test(value) && !Number.isNaN(Date.parse(value))
    ? undefined
    : 'must be an ISO 8601 time with zone, e.g. 2026-01-31T08:00:00Z';
}

export function httpUrlOrEmpty(value: string): string | undefined {
  if (value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an absolute http(s) URL';
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  return undefined;
}

export function pemOrEmpty(value: string): string | undefined {
  if (value === '') return undefined;
  return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(value)
    ? undefined
    : 'must hold at least one PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)';
}
