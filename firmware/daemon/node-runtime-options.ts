// The Node.js options a gate device starts passgate with. The systemd unit sets them as
// NODE_OPTIONS (a test keeps firmware/systemd/passgate.service equal to this), and the bench
// measures the daemon's memory with them, so the figure it prints is what a device holds.
//
// Why these, from `npm run bench -- --only memory-options` (the daemon fed 10,000 scans, RSS after
// forced GCs; see docs/MEMORY.md for the table):
// - `--max-semi-space-size=1`: V8 sizes the young generation for servers (up to 16 MB per
//   semi-space), so a daemon whose live heap is ~12 MB commits ~45 MB of heap. With 1 MB the
//   committed heap falls to ~14 MB and RSS by ~28 MB; CPU per scan stays within noise, since the
//   gate allocates little per scan and its objects die young either way.
// - `--v8-pool-size=1`: V8's background threads (one per core by default) each keep a malloc arena
//   and stacks; the gate has one event loop and needs one helper for concurrent GC. About 6 MB.
// MALLOC_ARENA_MAX=2 was measured too and is not used: with the two options above it added RSS
// instead of saving it.

/** Node options for the daemon on a device, in NODE_OPTIONS form (space separated). */
export const DEVICE_NODE_OPTIONS = ['--max-semi-space-size=1', '--v8-pool-size=1'] as const;

/** The NODE_OPTIONS value carrying DEVICE_NODE_OPTIONS. */
export function deviceNodeOptionsValue(): string {
  return DEVICE_NODE_OPTIONS.join(' ');
}
