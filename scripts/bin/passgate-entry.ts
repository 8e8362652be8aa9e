// Entry of the bundled `passgate` (dist/passgate.mjs): runs the CLI with the process's arguments.

import { exitQuietlyOnBrokenPipe } from '../../firmware/cli/io.js';
import { main } from '../../firmware/cli/main.js';

exitQuietlyOnBrokenPipe();
process.exitCode = await main(process.argv.slice(2));
