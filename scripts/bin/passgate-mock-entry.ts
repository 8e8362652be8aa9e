// Entry of the bundled `passgate-mock` (dist/passgate-mock.mjs).
import { main } from '../../portal-client/mock/cli.js';
import { exitQuietlyOnBrokenPipe } from '../../firmware/cli/io.js';

exitQuietlyOnBrokenPipe();
process.exitCode = await main(process.argv.slice(2));
