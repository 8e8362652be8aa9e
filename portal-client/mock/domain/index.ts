// The mock portal's domain: registries, residents, pass codes, the decision, the demo dataset and
// the state file. Pure and in memory except state-file.ts; the HTTP server and CLI build on this.
export * from './registry.js';
export * from './residents.js';
export * from './pass-code.js';
export * from './decide.js';
export * from './demo-dataset.js';
export * from './portal-state.js';
export * from './state-file.js';
export { SeededRandom, type Seed } from './seeded-random.js';
