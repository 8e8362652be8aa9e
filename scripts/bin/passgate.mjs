#!/usr/bin/env node
// The `passgate` command (package.json bin). Runs the TypeScript CLI under tsx's loader; vendors'
// images use the bundle from `npm run build` (dist/passgate.mjs) instead.
import { register } from 'tsx/esm/api';

register();
await import('./passgate-entry.ts');
