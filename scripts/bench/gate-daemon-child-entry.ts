// Entry of the built memory child (see bundleChild in gate.ts): runs gate-daemon-child's main.
import { main } from './gate-daemon-child.js';

process.exitCode = await main();
