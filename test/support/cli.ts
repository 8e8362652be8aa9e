// The one fixture for tests that run the programs: `passgate` in this process through main() with
// its output captured; `passgate` and `passgate-mock` as child processes, the way a technician,
// an operator or systemd runs them; temporary roots for data directories; a gate data directory
// provisioned against a running mock portal; and the gate daemon in this process with injected
// inputs.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InputDriver } from '../../drivers/input.js';
import type { CommandOutput } from '../../firmware/cli/io.js';
import { main } from '../../firmware/cli/main.js';
import type { ConfigValues } from '../../firmware/config/schema.js';
import { type Clock, systemClock } from '../../firmware/core/clock.js';
import { createJsonLogger, type Logger } from '../../firmware/core/log.js';
import { Daemon } from '../../firmware/daemon/daemon.js';
import type { RunningMockPortal } from '../../portal-client/mock/start-mock-portal.js';
import { crypto } from '../../scripts/lab/portal-fixture.js';
import { provisionGate } from '../../scripts/lab/provisioned-gate.js';
import { EVENT_WAIT_MS } from './polling.js';
import { PASSGATE_BIN, PASSGATE_MOCK_BIN, REPO } from './repo.js';

// ------------------------------------------------------------------ passgate in this process

export interface CliResult {
  code: number;
  stdout: string[];
  stderr: string[];
}

/** `passgate ARGV` in this process; the environment is `env` alone, so nothing leaks in. */
export async function runMain(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main([...argv], { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) }, env);
  return { code, stdout, stderr };
}

/** What a test may put in front of main() beside its output: stdin, a terminal on stderr. */
export type CliInput = Pick<CommandOutput, 'readStdin' | 'stderrIsTTY'>;

/** `passgate ARGV` in this process with `input`; `raw` is what was drawn on stderr in place (progress). */
export async function runMainWith(
  argv: readonly string[],
  input: CliInput,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult & { raw: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let raw = '';
  const out: CommandOutput = {
    stdout: (l) => stdout.push(l),
    stderr: (l) => stderr.push(l),
    stderrRaw: (text) => (raw += text),
    ...input,
  };
  const code = await main([...argv], out, env);
  return { code, stdout, stderr, raw };
}

/** `passgate ARGS --data-dir DIR` in this process. */
export function cli(dataDir: string, ...args: string[]): Promise<CliResult> {
  return runMain([...args, '--data-dir', dataDir]);
}

/** Every line the CLI wrote, both streams. */
export function allText(r: CliResult): string {
  return [...r.stdout, ...r.stderr].join('\n');
}

/** The bilingual failure lines of failures.ts: one Chinese line, one English line. */
export function expectBilingual(r: CliResult): { zh: string; en: string } {
  const zh = r.stderr.find((l) => l.startsWith('错误: '));
  const en = r.stderr.find((l) => l.startsWith('error: '));
  if (!zh || !en || !/[\u4e00-\u9fff]/.test(zh)) throw new Error(`no bilingual failure in ${JSON.stringify(r.stderr)}`);
  return { zh, en };
}

// ------------------------------------------------------------------ temporary directories

export function tempRoot(prefix: string): { root: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

// ------------------------------------------------------------------ child processes

export const PROGRAMS = { passgate: PASSGATE_BIN, 'passgate-mock': PASSGATE_MOCK_BIN } as const;

/**
 * How long a child program may take to start and write its first line, or to run a short
 * command to its end: Node's start plus tsx's loader compiling the TypeScript entry takes about
 * a second on an idle 2-core box and several times that beside CPU-bound neighbours. A liveness
 * bound only: the test goes on the moment the child answers.
 */
export const CHILD_START_MS = 60_000;

/**
 * Per-test timeout for a test that runs child programs (each one a Node start plus the tsx
 * loader, see CHILD_START_MS): vitest's 30 s default is not enough for several of them in a row
 * on a loaded machine. Generous on purpose; a passing test takes a fraction of it.
 */
export const CHILD_TEST_MS = 240_000;
export type Program = keyof typeof PROGRAMS;

export interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface BinOptions {
  /** Default: this process's environment without $PASSGATE_DATA_DIR. */
  env?: NodeJS.ProcessEnv;
  /** Killed after this long (the test then fails on its null code); default: never (spawnBin), CHILD_START_MS (runBin). */
  timeoutMs?: number;
}

export interface RunningBin {
  child: ChildProcessWithoutNullStreams;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** The first line on stdout; rejects if the process ends before writing one. */
  firstLine: Promise<string>;
  /** Resolves once `check(stdout)` holds; rejects if the process ends first or after `timeoutMs`. */
  until(check: (stdout: string) => boolean, what: string, timeoutMs?: number): Promise<void>;
  exited: Promise<BinResult>;
}

function defaultEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.PASSGATE_DATA_DIR;
  return env;
}

/** `node scripts/bin/PROGRAM.mjs ARGS` as a child process, left running. */
export function spawnBin(program: Program, args: readonly string[], o: BinOptions = {}): RunningBin {
  return spawnNode(program, [PROGRAMS[program], ...args], o);
}

/** `node ARGV` in the repository as a child process, left running; `name` is what errors call it. */
export function spawnNode(name: string, argv: readonly string[], o: BinOptions = {}): RunningBin {
  const env = o.env ?? defaultEnv();
  const child = spawn(process.execPath, argv, { cwd: REPO, env, timeout: o.timeoutMs });
  let stdout = '';
  let stderr = '';
  let ended = false;
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (const l of listeners) l();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<BinResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      ended = true;
      for (const l of listeners) l();
      resolve({ code, signal, stdout, stderr });
    });
  });
  const until: RunningBin['until'] = (check, what, timeoutMs = EVENT_WAIT_MS) =>
    new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        listeners.delete(look);
        if (error) reject(error);
        else resolve();
      };
      const look = () => {
        if (check(stdout)) done();
        else if (ended) done(new Error(`${name} ended before ${what}: ${stderr.slice(-500)}`));
      };
      const timedOut = () => done(new Error(`timed out waiting for ${what}; stdout: ${stdout.slice(-500)}`));
      const timer = setTimeout(timedOut, timeoutMs);
      listeners.add(look);
      look();
    });
  const firstLine = until((text) => text.includes('\n'), 'its first line', CHILD_START_MS).then(
    () => stdout.split('\n')[0],
  );
  firstLine.catch(() => undefined);
  return { child, stdout: () => stdout, firstLine, until, exited };
}

/** `node scripts/bin/PROGRAM.mjs ARGS` to its end. */
export function runBin(program: Program, args: readonly string[], o: BinOptions = {}): Promise<BinResult> {
  return spawnBin(program, args, { timeoutMs: CHILD_START_MS, ...o }).exited;
}

// ------------------------------------------------------------------ a provisioned gate

export interface ProvisionedGate {
  dataDir: string;
  deviceId: string;
  publicKeyHex: string;
}

/**
 * `dataDir` provisioned against `mock` by the `passgate provision` code (scripts/lab), its key
 * registered under `vendorId` (the approved demo vendor by default; null: not at all), and not
 * bound unless `bind`.
 */
export async function provisionGateDir(
  mock: RunningMockPortal,
  dataDir: string,
  o: { deviceId?: string; vendorId?: string | null; bind?: boolean; settings?: Partial<ConfigValues> } = {},
): Promise<ProvisionedGate> {
  const deviceId = o.deviceId ?? 'WX-CLI-GATE-01';
  const { publicKeyHex } = await provisionGate({
    dataDir,
    mock,
    crypto,
    deviceId,
    bind: o.bind ?? false,
    vendorId: o.vendorId,
    settings: o.settings,
  });
  return { dataDir, deviceId, publicKeyHex };
}

// ------------------------------------------------------------------ the daemon in this process

/**
 * `timeouts` config for a gate whose CLI commands ask a running daemon (status, selftest,
 * bind --scan): how long the CLI waits for the daemon's answer (controlSocketMs, 2 s by default)
 * is not what those tests are about, and on a machine busy enough a daemon (in this process or
 * a child) can take longer to answer. A liveness bound here; the answer ends the wait.
 */
export const DAEMON_CLI_TIMEOUTS = { controlSocketMs: EVENT_WAIT_MS } as const;

export interface VerdictLine {
  source: string;
  outcome: string;
}

export interface DaemonRig {
  daemon: Daemon;
  logLines: string[];
  /** Every `verdict` log line so far. */
  verdicts(): VerdictLine[];
  /** Resolves with the next `verdict` log line after this call (rejects after EVENT_WAIT_MS). */
  nextVerdict(): Promise<VerdictLine>;
  stop(): Promise<void>;
}

export interface DaemonRigOptions {
  /** Inputs beside the configured drivers. */
  inputs?: InputDriver[];
  /** Build drivers from config (default false: only `inputs`). */
  configuredDrivers?: boolean;
  /** Listen on the control socket (default true). */
  controlSocket?: boolean;
  /**
   * The daemon's clock (default the real one): a FakeClock holds every gate and display timer
   * (show time, patterns, bind mode) until the test moves it, so a test can look at a state for
   * as long as it needs. The portal client and the drivers keep real time either way.
   */
  clock?: Clock;
}

/** The gate daemon in this process, its display drawing nowhere. */
export async function startDaemon(dataDir: string, o: DaemonRigOptions = {}): Promise<DaemonRig> {
  const logLines: string[] = [];
  const verdicts: VerdictLine[] = [];
  const waiters: Array<(verdict: VerdictLine) => void> = [];
  const json = createJsonLogger((line) => logLines.push(line));
  const logger: Logger = {
    log(level, event, fields = {}) {
      json.log(level, event, fields);
      if (event !== 'verdict') return;
      const verdict = { source: String(fields.source), outcome: String(fields.outcome) };
      verdicts.push(verdict);
      for (const w of waiters.splice(0)) w(verdict);
    },
  };
  const daemon = await Daemon.start({
    dataDir,
    crypto,
    logger,
    clock: o.clock ?? systemClock,
    displayStream: { write: () => true },
    extraInputs: o.inputs ?? [],
    configuredDrivers: o.configuredDrivers ?? false,
    controlSocket: o.controlSocket ?? true,
  });
  return {
    daemon,
    logLines,
    verdicts: () => [...verdicts],
    nextVerdict() {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no verdict in time')), EVENT_WAIT_MS);
        waiters.push((verdict) => {
          clearTimeout(timer);
          resolve(verdict);
        });
      });
    },
    stop: () => daemon.stop(),
  };
}
