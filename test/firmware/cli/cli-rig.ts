// What the CLI tests share: `main()` run in-process with captured output, a provisioned and
// registered gate data directory next to a running mock portal, an in-process daemon with
// injected inputs, and `node scripts/bin/passgate.mjs` as a child process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PASSGATE_BIN, REPO } from '../../support/repo.js';
import { main } from '../../../firmware/cli/main.js';
import { Daemon } from '../../../firmware/daemon/daemon.js';
import { createJsonLogger, type Logger } from '../../../firmware/core/log.js';
import type { InputDriver } from '../../../drivers/input.js';
import { createGmCryptoSuite } from '../../../portal-client/crypto/gm-suite.js';
import type { RunningMockPortal } from '../../../portal-client/mock/start-mock-portal.js';
import { systemClock } from '../../../firmware/core/clock.js';

export interface CliResult {
  code: number;
  stdout: string[];
  stderr: string[];
}

/** `passgate ARGS --data-dir DIR` in this process; the environment is empty so nothing leaks in. */
export async function cli(dataDir: string, ...args: string[]): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main([...args, '--data-dir', dataDir], { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) }, {});
  return { code, stdout, stderr };
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

export function tempRoot(prefix: string): { root: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export interface ProvisionedGate {
  dataDir: string;
  deviceId: string;
  publicKeyHex: string;
}

/**
 * `passgate provision` against `mock` (HTTPS, its CA pinned through --ca-file), then registers
 * the printed public key under `vendorId` (the approved demo vendor by default; null: not at all).
 */
export async function provisionGate(
  mock: RunningMockPortal,
  dataDir: string,
  o: { deviceId?: string; vendorId?: string | null } = {},
): Promise<ProvisionedGate> {
  const deviceId = o.deviceId ?? 'WX-CLI-GATE-01';
  const r = await cli(dataDir, 'provision', '--json', '--device-id', deviceId, '--portal-url', mock.url,
    '--portal-public-key', mock.portalPublicKey.toString('hex'), '--app-id', mock.vendor.appId,
    '--app-secret', mock.vendor.appSecret, '--ca-file', mock.caPath!);
  if (r.code !== 0) throw new Error(`provision failed (${r.code}): ${r.stderr.join(' | ')}`);
  const publicKeyHex = (JSON.parse(r.stdout[0]) as { publicKey: string }).publicKey;
  if (o.vendorId !== null) mock.registerDevice(deviceId, Buffer.from(publicKeyHex, 'hex'), o.vendorId);
  return { dataDir, deviceId, publicKeyHex };
}

export interface DaemonRig {
  daemon: Daemon;
  logLines: string[];
  /** Resolves with the outcome of the next `verdict` log line after this call. */
  nextVerdict(timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** The gate daemon in this process: no configured drivers, only `inputs`; control socket on. */
export async function startDaemon(dataDir: string, inputs: InputDriver[]): Promise<DaemonRig> {
  const logLines: string[] = [];
  const waiters: Array<(outcome: string) => void> = [];
  const json = createJsonLogger((line) => logLines.push(line));
  const logger: Logger = {
    log(level, event, fields = {}) {
      json.log(level, event, fields);
      if (event === 'verdict') waiters.splice(0).forEach((w) => w(String(fields.outcome)));
    },
  };
  const daemon = await Daemon.start({
    dataDir,
    crypto: createGmCryptoSuite(),
    logger,
    clock: systemClock,
    displayStream: { write: () => true },
    extraInputs: inputs,
    configuredDrivers: false,
    controlSocket: true,
  });
  return {
    daemon,
    logLines,
    nextVerdict(timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no verdict in time')), timeoutMs);
        waiters.push((outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        });
      });
    },
    stop: () => daemon.stop(),
  };
}

/** Polls `check` every 20 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export { PASSGATE_BIN };

export interface BinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node scripts/bin/passgate.mjs ARGS` as a child process, the way a technician runs it. */
export function runBin(args: readonly string[], timeoutMs = 20_000): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.PASSGATE_DATA_DIR;
    const child = spawn(process.execPath, [PASSGATE_BIN, ...args], { cwd: REPO, env, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
