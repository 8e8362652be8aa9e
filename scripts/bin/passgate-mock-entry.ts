// Entry of the bundled `passgate-mock` (dist/passgate-mock.mjs).
import { main } from '../../portal-client/mock/cli.js';

process.exitCode = await main(process.argv.slice(2));
