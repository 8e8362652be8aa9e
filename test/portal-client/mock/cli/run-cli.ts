// Runs `passgate-mock` as a child process, the way an operator would: `node scripts/bin/passgate-mock.mjs …`.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PASSGATE_MOCK_BIN, REPO } from '../../../support/repo.js';

export const CLI_BIN = PASSGATE_MOCK_BIN;

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** One CLI run to its end; killed (and the test fails on its null code) after `timeoutMs`. */
export function runCli(args: readonly string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: REPO, env: o.env ?? process.env, timeout: o.timeoutMs ?? 15_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A long-running CLI process (serve) and a way to wait for its first stdout line. */
export function spawnCli(args: readonly string[]): { child: ChildProcessWithoutNullStreams; firstLine: Promise<string>; exited: Promise<CliRun> } {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: REPO });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve(stdout.slice(0, nl));
    });
    child.on('close', () => reject(new Error(`serve ended before printing: ${stderr.slice(0, 500)}`)));
  });
  firstLine.catch(() => undefined);
  const exited = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, firstLine, exited };
}
