// Starting the decode worker thread, from the source tree or from the bundle.
//
// From the source tree (`.ts` files run under tsx's loader), a new thread does not inherit the
// loader: a two-line bootstrap registers it in the thread, then imports the entry. The bundle
// (`npm run build`) has the entry compiled as dist/decode-worker.mjs, started directly.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { PassgateError } from '../../../firmware/core/errors.js';

/**
 * The decode worker's V8 limits. A worker isolate takes the process's V8 flags (the device's
 * `--max-semi-space-size=1` gives it 1 MB semi-spaces too, measured); these hold it to that size
 * when the daemon runs without them, and bound its heap: a decoder that runs away ends the thread
 * (ERR_WORKER_OUT_OF_MEMORY → decode.worker-failed, restarted), not the daemon. Its heap is
 * ~9 MB in use; the frames and zxing-wasm's memory are outside the V8 heap.
 * Young generation 3 MB = two 1 MB semi-spaces plus V8's large-object share.
 */
export const DECODE_WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 3, maxOldGenerationSizeMb: 64 };

/** The decode worker's script: entry.ts beside this file, or dist/decode-worker.mjs in the bundle. */
export function defaultDecodeWorkerEntry(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL('./entry.ts', here);
  // This code sits in dist/ or in one of its chunks (dist/chunks/).
  for (const candidate of ['./decode-worker.mjs', '../decode-worker.mjs']) {
    const url = new URL(candidate, here);
    if (existsSync(url)) return url;
  }
  throw new PassgateError('driver.open-failed', 'the decode worker script is missing from the bundle', {});
}

/** The ES module of tsx's loader API (`tsx/esm/api` under the `import` condition), as a URL. */
function tsxApiUrl(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exports = JSON.parse(readFileSync(manifest, 'utf8')).exports as Record<string, { import: { default: string } }>;
  return pathToFileURL(join(dirname(manifest), exports['./esm/api'].import.default)).href;
}

/** Starts `entry` in a worker thread; a `.ts` entry under tsx's loader. */
export function startWorkerThread(entry: URL, workerData: unknown, resourceLimits?: ResourceLimits): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData, resourceLimits });
  const tsx = tsxApiUrl();
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits });
}
