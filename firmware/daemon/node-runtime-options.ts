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
//
// One V8 flag is set by the daemon itself, at the start of `passgate run` (Node refuses it in
// NODE_OPTIONS):
// - `--always-sparkplug`: a gate runs its scan path a few times a second and sleeps between, so
//   most of its functions never get hot enough for V8 to compile them and stay in the bytecode
//   interpreter for minutes. This compiles each function to baseline machine code at its first
//   call instead (no optimizing, no speculation: the same semantics, less work per call). In the
//   soak's two-gate rig (docs/reliability/SOAK.md) the daemon's CPU a scan fell ~6 % (four
//   alternated pairs); the baseline code costs the daemon's RSS little (docs/MEMORY.md).
import { setFlagsFromString } from 'node:v8';

/** Node options for the daemon on a device, in NODE_OPTIONS form (space separated). */
export const DEVICE_NODE_OPTIONS = ['--max-semi-space-size=1', '--v8-pool-size=1'] as const;

/** The NODE_OPTIONS value carrying DEVICE_NODE_OPTIONS. */
export function deviceNodeOptionsValue(): string {
  return DEVICE_NODE_OPTIONS.join(' ');
}

/** V8 flags `passgate run` sets on itself before the daemon's code first runs. */
export const DAEMON_V8_FLAGS = ['--always-sparkplug'] as const;

/** Sets DAEMON_V8_FLAGS; they apply to every function compiled from then on. */
export function applyDaemonV8Flags(setFlag: (flag: string) => void = setFlagsFromString): void {
  for (const flag of DAEMON_V8_FLAGS) setFlag(flag);
}
