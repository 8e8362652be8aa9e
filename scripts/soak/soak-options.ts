// `npm run soak -- [options]`: the arguments. Pure.

export interface SoakOptions {
  /** Length of the scanning phase, ms; null: whatever the budget leaves after the setup. */
  durationMs: number | null;
  /** The whole run's wall-clock budget when no duration is given: setup, scanning, teardown, report. */
  budgetMs: number;
  /** Scans per second asked of the whole fleet. */
  rate: number;
  /** Gates in the fleet: from the rate unless given. */
  gates: number;
  /** Pace each gate to rate / gates (when --gates was given; a fleet sized by the rate runs flat out). */
  paced: boolean;
  seed: number;
  json: boolean;
  reportDir: string | null;
  /** Try the network namespaces (needs root); --no-network runs everything on loopback. */
  network: boolean;
  natIdleMs: number;
  idleGapMs: number;
  /** Keep the run's temporary directory (data dirs, logs) for a look afterwards. */
  keep: boolean;
}

/**
 * What one gate takes at most: gate.showMs is at least 200 ms (config refuses less) and the next
 * scan is verified only after the verdict was shown, so ~1000 / (200 + a few ms of verification)
 * scans a second; faults take some of it. Measured on the 2-core box: 4.6–4.9.
 */
export const SCANS_PER_GATE_PER_S = 4.6;
/**
 * What one gate of a fleet that keeps the box busy makes: each step of its cycle (the outcome
 * line to the soak, the next code through socat, the verification) waits for a CPU a little.
 * Measured: 3.66 a second per gate in a 98-gate run of 3 minutes with faults (2026-11-30). The
 * fleet is sized with this, so that the gates are not what limits a default run.
 */
export const LOADED_SCANS_PER_GATE_PER_S = 3.7;
/** The target: 200,000 scans in a run that ends within 10 minutes, setup and report included. */
export const DEFAULT_BUDGET_MS = 600_000;
/**
 * What the budget keeps back for the fault procedures' grace, stopping the fleet, the privacy
 * search and the report. The quiet-box default run of 2026-11-30 needed ~4 s of its 30 s (the last
 * 30 s of scanning have no faults, so the grace is rarely waited for).
 */
export const TEARDOWN_RESERVE_MS = 15_000;
/** A scanning phase shorter than this has no room for faults (warm-up and quiet end take 60 s). */
export const MIN_DURATION_MS = 60_000;
/** The scans a default run must make. */
export const TARGET_SCANS = 200_000;
/**
 * A default run's setup on a quiet 2-core box: the build (~5 s) beside the provisioning of the
 * gates (~5 s), then every daemon booted and authorized, six at a time (~0.46 s of CPU a boot:
 * 26 s for 98 on two CPUs, 31 s of setup in all, 2026-11-30). It was 85 s when every daemon was
 * started 150 ms after the last, and 71 s with the JavaScript SM2 and undici.
 */
export const EXPECTED_SETUP_MS = 40_000;
/**
 * Scans the faults cost, as a share: each of the ~4 faults a run that drop every session (token
 * expiry, portal restart) stops the fleet at 4 gates and takes it back a 16th a second (~8 s of
 * a whole fleet's scans each), the network faults slow or stop every gate for up to a minute,
 * and the device and process faults take single gates.
 */
export const FAULT_SPARE = 0.2;
/**
 * 200,000 scans in the scanning phase a default run has left (the budget less the setup and the
 * teardown), with the faults' share to spare: ~441 a second (120 gates). The fleet is sized for it; how many
 * of its gates get people follows the CPU (fleet-throttle.ts).
 */
export const DEFAULT_RATE = Math.ceil(
  ((1 + FAULT_SPARE) * TARGET_SCANS * 1000) / (DEFAULT_BUDGET_MS - EXPECTED_SETUP_MS - TEARDOWN_RESERVE_MS),
);
export const MAX_GATES = 128;

export const SOAK_USAGE = `usage: npm run soak -- [--duration 8m | --budget 10m] [--rate SCANS_PER_S] [--gates N] [--seed N]
                       [--json] [--report DIR] [--no-network] [--nat-idle 20s] [--idle-gap 45s] [--keep]

  --budget     the whole run, setup and report included (default ${DEFAULT_BUDGET_MS / 60_000} min): the scanning phase
               gets what the setup leaves, less ${TEARDOWN_RESERVE_MS / 1000} s for the teardown and the report
  --duration   a fixed scanning phase instead (setup and teardown come on top)
  --rate       scans per second asked of the whole fleet (default ${DEFAULT_RATE}); one gate takes at most
               ~${SCANS_PER_GATE_PER_S} a second (gate.showMs ≥ 200 ms), ~${LOADED_SCANS_PER_GATE_PER_S} in a fleet that keeps the box
               busy, so the fleet has ceil(rate / ${LOADED_SCANS_PER_GATE_PER_S}) gates
  --gates      fleet size instead; with --rate too, each gate is paced to rate / gates
  --seed       the fault schedule and the scan mix (default 13)
  --json       one JSON object as the last line
  --report DIR a Markdown report with SVG plots in DIR
  --no-network no namespaces: the network faults are skipped (they need root)
  --nat-idle   the NAT's idle timeout in the NAT test (default 20 s)
  --idle-gap   the probe gate's rest before its "morning" scan (default 45 s)
  --keep       keep the run's temporary directory`;

export class SoakUsageError extends Error {}

/** "500", "500s", "8m", "1500ms" → ms. */
export function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|min|h)?$/.exec(text.trim());
  if (!m) throw new SoakUsageError(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Math.round(Number(m[1]) * unit);
}

export function gatesForRate(rate: number): number {
  // (the epsilon keeps 370 / 3.7 from becoming 100.00000000000001 and one gate too many)
  return Math.min(MAX_GATES, Math.max(1, Math.ceil(rate / LOADED_SCANS_PER_GATE_PER_S - 1e-9)));
}

export function parseSoakArgs(argv: readonly string[]): SoakOptions {
  const o: SoakOptions = {
    durationMs: null,
    budgetMs: DEFAULT_BUDGET_MS,
    rate: DEFAULT_RATE,
    gates: 0,
    paced: false,
    seed: 13,
    json: false,
    reportDir: null,
    network: true,
    natIdleMs: 20_000,
    idleGapMs: 45_000,
    keep: false,
  };
  let gatesGiven = false;
  const value = (i: number, name: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new SoakUsageError(`${name} needs a value`);
    return v;
  };
  const positive = (text: string, name: string) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new SoakUsageError(`${name} must be a positive number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--duration':
        o.durationMs = parseDurationMs(value(i++, arg));
        break;
      case '--budget':
        o.budgetMs = parseDurationMs(value(i++, arg));
        break;
      case '--rate':
        o.rate = positive(value(i++, arg), arg);
        break;
      case '--gates':
        o.gates = Math.round(positive(value(i++, arg), arg));
        if (o.gates > MAX_GATES) throw new SoakUsageError(`--gates at most ${MAX_GATES}`);
        gatesGiven = true;
        break;
      case '--seed':
        o.seed = Math.round(Number(value(i++, arg)));
        if (!Number.isFinite(o.seed)) throw new SoakUsageError('--seed must be a number');
        break;
      case '--json':
        o.json = true;
        break;
      case '--report':
        o.reportDir = value(i++, arg);
        break;
      case '--no-network':
        o.network = false;
        break;
      case '--nat-idle':
        o.natIdleMs = parseDurationMs(value(i++, arg));
        break;
      case '--idle-gap':
        o.idleGapMs = parseDurationMs(value(i++, arg));
        break;
      case '--keep':
        o.keep = true;
        break;
      default:
        throw new SoakUsageError(`unknown argument ${arg}`);
    }
  }
  if (!gatesGiven) o.gates = gatesForRate(o.rate);
  o.paced = gatesGiven && argv.includes('--rate');
  if (o.durationMs !== null && o.durationMs < MIN_DURATION_MS)
    throw new SoakUsageError('--duration at least 60 s (warm-up and quiet end take 60 s)');
  if (o.budgetMs < 3 * MIN_DURATION_MS) throw new SoakUsageError('--budget at least 3 min');
  return o;
}

/** The scanning phase: the fixed duration, or what the budget leaves after `setupMs`. */
export function scanningMs(o: Pick<SoakOptions, 'durationMs' | 'budgetMs'>, setupMs: number): number {
  return o.durationMs ?? Math.max(MIN_DURATION_MS, o.budgetMs - setupMs - TEARDOWN_RESERVE_MS);
}

/** Least ms between two scans of one gate: 0 (flat out) unless paced. */
export function gateIntervalMs(o: Pick<SoakOptions, 'rate' | 'gates' | 'paced'>): number {
  return o.paced ? Math.round((1000 * o.gates) / o.rate) : 0;
}
