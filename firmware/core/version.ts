// passgate's version: the one in package.json, and nowhere else. The sources read it from there
// (once, when first asked); `npm run build` writes it into the bundle (scripts/rollup.config.mjs
// replaces this module), so a device image needs no package.json.
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function passgateVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version?: unknown;
      };
      cached = typeof pkg.version === 'string' ? pkg.version : '0.0.0-unknown';
    } catch {
      cached = '0.0.0-unknown';
    }
  }
  return cached;
}
