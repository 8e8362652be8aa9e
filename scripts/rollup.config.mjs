// `npm run build`: an ES module per command for vendors' device images (dist/passgate.mjs,
// dist/passgate-mock.mjs, their chunks in dist/chunks/). Packages from node_modules stay external (native addons, wasm);
// TypeScript is stripped by esbuild's transform, type checking stays with `tsc --noEmit`.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { transform } from 'esbuild';

/** Resolves `./x.js` written in TypeScript sources to `./x.ts`, and transpiles .ts files. */
function typescript() {
  return {
    name: 'passgate-typescript',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.')) return null;
      const candidate = resolve(dirname(importer), source.replace(/\.js$/, '.ts'));
      return existsSync(candidate) ? candidate : null;
    },
    async transform(code, id) {
      if (!id.endsWith('.ts')) return null;
      // The version is package.json's, written into the bundle: a device image has no package.json.
      if (id.endsWith('/firmware/core/version.ts')) {
        const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
        return { code: `export function passgateVersion() { return ${JSON.stringify(version)}; }\n`, map: null };
      }
      const out = await transform(code, {
        loader: 'ts',
        format: 'esm',
        target: 'node20',
        sourcemap: true,
        sourcefile: id,
      });
      return { code: out.code, map: out.map };
    },
  };
}

const external = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');

// Dynamic imports (drivers, decoders) become chunks of their own, loaded only when used.
const output = (name) => ({
  dir: 'dist',
  entryFileNames: `${name}.mjs`,
  chunkFileNames: 'chunks/[name]-[hash].mjs',
  format: 'esm',
  sourcemap: true,
  banner: (chunk) => (chunk.isEntry ? '#!/usr/bin/env node' : ''),
});

export default [
  { input: 'scripts/bin/passgate-entry.ts', output: output('passgate'), external, plugins: [typescript()] },
  { input: 'scripts/bin/passgate-mock-entry.ts', output: output('passgate-mock'), external, plugins: [typescript()] },
  // The camera's decode worker thread, started by drivers/symbols/worker/launch.ts from dist/.
  { input: 'drivers/symbols/worker/entry.ts', output: output('decode-worker'), external, plugins: [typescript()] },
];
