#!/usr/bin/env node
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
// Runs a TypeScript entry point under tsx's loader, so the repo needs no build step to start.
import { register } from 'tsx/esm/api';

register();
const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: run-ts.mjs <entry.ts> [args…]\n');
  process.exit(2);
}
process.argv = [process.argv[0], entry, ...rest];
const mod = await import(pathToFileURL(resolve(entry)).href);
if (typeof mod.main === 'function') {
  const code = await mod.main(rest);
  if (typeof code === 'number') process.exitCode = code;
}
