// Entry of the bundled `passgate-mock` (dist/passgate-mock.mjs).

import { exitQuietlyOnBrokenPipe } from '../../firmware/cli/io.js';
import { main } from '../../portal-client/mock/cli.js';

exitQuietlyOnBrokenPipe();
process.exitCode = await main(process.argv.slice(2));
