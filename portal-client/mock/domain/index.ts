// The mock portal's domain: registries, residents, pass codes, the decision, the demo dataset and
// the state file. Pure and in memory except state-file.ts; the HTTP server and CLI build on this.

export * from './decide.js';
export * from './demo-dataset.js';
export * from './pass-code.js';
export * from './portal-state.js';
export * from './registry.js';
export * from './residents.js';
export { type Seed, SeededRandom } from './seeded-random.js';
export * from './state-file.js';
