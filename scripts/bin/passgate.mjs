#!/usr/bin/env node
// The `passgate` command (package.json bin). Runs the TypeScript CLI under tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../../firmware/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
