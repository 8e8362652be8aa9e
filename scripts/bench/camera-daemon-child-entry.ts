// Entry of the built camera memory child (see camera-memory.ts): runs camera-daemon-child's main.
import { main } from './camera-daemon-child.js';

process.exitCode = await main();
