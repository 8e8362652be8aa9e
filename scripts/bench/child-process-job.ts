// The two sides of a bench child (a daemon measured in a process of its own): the child's main,
// which takes one job over IPC and reports a failure as a message, its forced GC, and the
// parent's bundling of the child into plain JavaScript, as on a device (no tsx loader threads).
import { fileURLToPath } from 'node:url';

/** Runs the job the parent sends over IPC; resolves with the child's exit code. */
export async function runChildJob<Job>(run: (job: Job) => Promise<void>): Promise<number> {
  const job = await new Promise<Job>((resolve) => process.once('message', (m) => resolve(m as Job)));
  try {
    await run(job);
    return 0;
  } catch (error) {
    process.send?.({ type: 'failed', message: (error as Error).message });
    return 1;
  } finally {
    process.disconnect?.();
  }
}

/** Two full GCs (run with --expose-gc); false when gc is not exposed. */
export function forceGc(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  gc();
  return true;
}

/**
 * Bundles `entryPoints` (output name → source path) into `.bench-tmp/<name>/` as ESM chunks, with
 * dynamic imports kept lazy as in `npm run build`; returns the output directory.
 */
export async function bundleBenchChild(name: string, entryPoints: Record<string, string>): Promise<string> {
  const { build } = await import('esbuild');
  const outdir = fileURLToPath(new URL(`../../.bench-tmp/${name}`, import.meta.url));
  await build({
    entryPoints,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
  });
  return outdir;
}
