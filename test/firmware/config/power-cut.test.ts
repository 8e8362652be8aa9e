// SIGKILL at random moments while two processes write paired settings: after every kill the
// database must pass integrity_check, every value must validate, and each transaction's keys
// must agree. (A kill is not a real power cut — the kernel still flushes the page cache — but
// it stops the writer at any instruction, mid-transaction and mid-checkpoint included; the
// durability against a cut comes from WAL + synchronous=FULL, see database.ts.)
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, SCHEMA_VERSION } from '../../../firmware/config/database.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { CHILD_TEST_MS } from '../../support/cli.js';

const WRITER = 'test/firmware/config/fixtures/power-cut-writer.ts';
const ROUNDS = 12;
const WRITERS_PER_ROUND = 2;

let root: string | undefined;
const children = new Set<ChildProcess>();

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  if (root) rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Writer {
  child: ChildProcess;
  /** It has committed its first transaction and goes on writing. */
  committed: Promise<void>;
  exited: Promise<void>;
}

function startWriter(dir: string, start: number): Writer {
  const child = spawn(process.execPath, ['scripts/bin/run-ts.mjs', WRITER, dir, String(start)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let stdout = '';
  const committed = new Promise<void>((resolve) =>
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('committed\n')) resolve();
    }),
  );
  const exited = new Promise<void>((resolve, reject) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      // The only acceptable end is our SIGKILL; a writer that died by itself found a problem.
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`writer ended by itself (code ${code}): ${stderr.slice(0, 2000)}`));
    }),
  );
  return { child, committed, exited };
}

/**
 * Kills after a random moment: mostly while writing (within 40 ms after its first commit, however
 * long it took to get there), sometimes while still starting up.
 */
async function killAtRandom(writer: Writer): Promise<void> {
  if (Math.random() < 0.25) await sleep(Math.random() * 450);
  else {
    await writer.committed;
    await sleep(Math.random() * 40);
  }
  writer.child.kill('SIGKILL');
  await writer.exited;
}

function checkDatabase(dir: string): number {
  const raw = new Database(join(dir, DATABASE_FILE));
  try {
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    raw.close();
  }
  // Opening migrates: a writer killed between creating the file and migrating left version 0.
  const store = ConfigStore.open(dir);
  try {
    expect(store.storageInfo().schemaVersion).toBe(SCHEMA_VERSION);
    expect(store.list().filter((e) => e.storedInvalid)).toEqual([]);
    const all = store.getAll();
    const i = all['gate.dedupWindowMs'];
    if (all['binding.venueCode'] === '') {
      // Nothing committed yet: every paired key is still at its default.
      expect([i, all['gate.showMs'], all.timeouts, all['binding.venueName']]).toEqual([3000, 2000, {}, '']);
      return -1;
    }
    expect(all['gate.showMs']).toBe(i + 200);
    expect(all.timeouts).toEqual({ portalConnectMs: i, verifyDeadlineMs: 3000 });
    expect(all['binding.venueCode']).toBe(`r${i}`);
    expect(all['binding.venueName']).toBe(`测试场所 r${i}`);
    return i;
  } finally {
    store.close();
  }
}

describe('config store under SIGKILL', () => {
  it(
    `stays consistent across ${ROUNDS * WRITERS_PER_ROUND} kills of concurrent writers`,
    async () => {
      root = mkdtempSync(join(tmpdir(), 'passgate-powercut-'));
      const dir = join(root, 'data');
      let kills = 0;
      const seen = new Set<number>();
      for (let round = 0; round < ROUNDS; round++) {
        const writers = Array.from({ length: WRITERS_PER_ROUND }, (_, n) => startWriter(dir, round * 2000 + n * 1000));
        await Promise.all(writers.map(killAtRandom));
        kills += writers.length;
        // The first round may be killed before the database exists at all.
        if (round === 0 && !existsSync(join(dir, DATABASE_FILE))) continue;
        seen.add(checkDatabase(dir));
      }
      expect(kills).toBeGreaterThanOrEqual(20);
      // The writers did get to commit between kills: the test is not vacuous.
      seen.delete(-1);
      expect(seen.size).toBeGreaterThanOrEqual(ROUNDS / 2);
    },
    CHILD_TEST_MS,
  ); // 24 child processes, each a Node start plus the tsx loader
});
