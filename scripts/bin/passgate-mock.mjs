#!/usr/bin/env node
// The `passgate-mock` command (package.json bin): the mock portal's CLI (portal-client/mock/cli.ts)
// under tsx's loader, so the repo needs no build step; `npm run build` bundles the same entry
// (dist/passgate-mock.mjs). main() returns the exit code: 0 ok, 2 usage, 3 failed.
import { register } from 'tsx/esm/api';

register();
await import('./passgate-mock-entry.ts');
