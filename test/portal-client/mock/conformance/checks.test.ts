// The conformance kit (`passgate-mock conformance`) against the bundled mock portal, run in this
// process: every check passes against the mock as it is; against a mock that breaks one rule on
// purpose (a test-only breach) exactly the checks of that rule fail; with a vendor's device
// credentials instead of the mock's admin API, only the checks that need the admin API skip.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePrivateKeyFile } from '../../../../portal-client/crypto/key-file.js';
import { main } from '../../../../portal-client/mock/cli.js';
import { CONFORMANCE_CHECKS } from '../../../../portal-client/mock/conformance/checks.js';
import { DOCUMENT_VECTORS } from '../../../../portal-client/mock/conformance/document-vectors.js';
import { demoVenues } from '../../../../portal-client/mock/domain/demo-dataset.js';
import { type RunningMockPortal, startMockPortal } from '../../../../portal-client/mock/start-mock-portal.js';
import type { TestBreach } from '../../../../portal-client/mock/test-breaches.js';
import { VECTOR_BLOCK } from '../../../../portal-client/protocol/vectors.js';
import { crypto } from '../../../../scripts/lab/portal-fixture.js';
import { CHILD_TEST_MS, tempRoot } from '../../../support/cli.js';
import { REPO } from '../../../support/repo.js';

const PROTOCOL = readFileSync(join(REPO, 'portal-client/PROTOCOL.md'), 'utf8');

interface Report {
  portal: string;
  protocolDocument: string;
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  checks: { id: string; section: string; title: string; status: string; detail: string | null }[];
}

async function conformance(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(['conformance', ...args], {
    io: { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l), untilStopped: () => new Promise(() => {}) },
  });
  return { code, stdout, stderr };
}

const ids = (r: Report, status: string) => r.checks.filter((c) => c.status === status).map((c) => c.id);

let root: ReturnType<typeof tempRoot>;
beforeAll(() => {
  root = tempRoot('pg-conformance-');
});
afterAll(() => root.remove());

/** A mock in its own directory, with test-only breaches when asked. */
async function mockWith(name: string, testBreaches: TestBreach[] = []): Promise<RunningMockPortal & { dir: string }> {
  const dir = join(root.root, name);
  return Object.assign(await startMockPortal({ dir, crypto, testBreaches, seed: 'conformance' }), { dir });
}

/** A vendor's files for a device (key 0600, app secret, CA) and the options that name them. */
async function vendorFiles(name: string, mock: RunningMockPortal, deviceId: string, privateKey: Buffer) {
  const files = join(root.root, name);
  mkdirSync(files, { mode: 0o700 });
  await writePrivateKeyFile(join(files, 'device.key'), privateKey);
  writeFileSync(join(files, 'app-secret'), `${mock.vendor.appSecret}\n`, { mode: 0o600 });
  writeFileSync(join(files, 'ca.pem'), mock.caPem!);
  return [
    ...['--portal', mock.url, '--device-id', deviceId, '--device-key', join(files, 'device.key')],
    ...['--app-id', mock.vendor.appId, '--app-secret-file', join(files, 'app-secret')],
    ...['--portal-public-key', mock.portalPublicKey.toString('hex'), '--ca-file', join(files, 'ca.pem')],
  ];
}

describe('the checks', () => {
  it('have unique names and sections of PROTOCOL.md', () => {
    const names = CONFORMANCE_CHECKS.map((c) => c.id);
    expect(new Set(names).size).toBe(names.length);
    const sections = new Set([...PROTOCOL.matchAll(/^## (\d+)\./gm)].map((m) => `§${m[1]}`));
    for (const check of CONFORMANCE_CHECKS) {
      const cited = check.section.split(' ');
      expect(cited.length, check.id).toBeGreaterThan(0);
      for (const s of cited) expect(sections.has(s), `${check.id} cites ${s}`).toBe(true);
    }
  });

  it("carry PROTOCOL.md's §10 vectors exactly as the document gives them", () => {
    const block = VECTOR_BLOCK.exec(PROTOCOL);
    expect(block).not.toBeNull();
    expect(DOCUMENT_VECTORS).toEqual(JSON.parse(block![1]));
  });
});

describe('passgate-mock conformance against the bundled mock', { timeout: CHILD_TEST_MS }, () => {
  it('passes every check (admin API through --dir) and prints the table with each section', async () => {
    const mock = await mockWith('clean');
    try {
      const table = await conformance(['--portal', mock.url, '--dir', mock.dir]);
      expect(table.stderr).toEqual([]);
      expect(table.code).toBe(0);
      expect(table.stdout.at(-1)).toBe(
        `${CONFORMANCE_CHECKS.length} checks: ${CONFORMANCE_CHECKS.length} passed, 0 failed, 0 skipped`,
      );
      const lines = table.stdout.filter((l) => /^(PASS|FAIL|SKIP) /.test(l));
      expect(lines).toHaveLength(CONFORMANCE_CHECKS.length);
      expect(lines.find((l) => l.includes('sealed.replay '))).toMatch(/^PASS\s+§5 §8\s+sealed\.replay /);

      const json = await conformance(['--portal', mock.url, '--dir', mock.dir, '--json']);
      expect(json.code).toBe(0);
      expect(json.stdout).toHaveLength(1);
      const report = JSON.parse(json.stdout[0]) as Report;
      expect(report).toMatchObject({ protocolDocument: '1.1', failed: 0, skipped: 0 });
      expect(report.passed).toBe(CONFORMANCE_CHECKS.length);
      expect(report.checks.map((c) => c.id)).toEqual(CONFORMANCE_CHECKS.map((c) => c.id));
    } finally {
      await mock.stop();
    }
  });

  const BREACHES: [TestBreach, string[]][] = [
    ['accept-replay', ['authorize.replay', 'sealed.replay', 'sealed.replay-authorize-nonce']],
    [
      'plain-bad-mac',
      ['sealed.malformed-envelope', 'sealed.unpadded-base64', 'sealed.undecryptable-body', 'sealed.body-not-json'],
    ],
    ['no-sealed-clock-check', ['sealed.clock-skew']],
  ];

  it.each(BREACHES)('a mock with the test-only breach %s fails exactly %j', async (breach, expected) => {
    const mock = await mockWith(breach, [breach]);
    try {
      const run = await conformance(['--portal', mock.url, '--dir', mock.dir, '--json']);
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout[0]) as Report;
      expect(ids(report, 'fail')).toEqual(expected);
      expect(ids(report, 'skip')).toEqual([]);
      expect(report.passed).toBe(CONFORMANCE_CHECKS.length - expected.length);
      for (const c of report.checks.filter((c) => c.status === 'fail')) expect(c.detail).toMatch(/expected/);
    } finally {
      await mock.stop();
    }
  });

  it("runs with a vendor's device credentials alone; the checks that need the admin API skip (exit 4)", async () => {
    const mock = await mockWith('vendor');
    try {
      const key = crypto.sm2GenerateKeyPair();
      mock.registerDevice('WX-VENDOR-0001', key.publicKey);
      const device = await vendorFiles('vendor-files', mock, 'WX-VENDOR-0001', key.privateKey);
      const run = await conformance([...device, '--venue', demoVenues()[0].venueCode, '--json']);
      const report = JSON.parse(run.stdout[0]) as Report;
      expect(ids(report, 'fail')).toEqual([]);
      expect(ids(report, 'skip')).toEqual([
        'authorize.vendor-suspended',
        'session.key-replaced',
        'session.vendor-suspended',
        'session.expired',
      ]);
      expect(run.code).toBe(4);
      // The kit bound the unbound device it was given, as its help says.
      expect(mock.state.registry.getBinding('WX-VENDOR-0001')?.venueCode).toBe(demoVenues()[0].venueCode);
    } finally {
      await mock.stop();
    }
  });

  it('refuses to start without a portal, over plain HTTP unasked, or with half a device (exit 2)', async () => {
    expect((await conformance(['--dir', root.root])).code).toBe(2);
    const http = await conformance(['--portal', 'http://localhost:1', '--dir', root.root]);
    expect(http.code).toBe(2);
    expect(http.stderr.join('\n')).toContain('--allow-http');
    const half = await conformance(['--portal', 'https://localhost:1', '--device-id', 'X']);
    expect(half.code).toBe(2);
    expect(half.stderr.join('\n')).toContain('--app-secret-file');
  });

  it('a portal that does not answer fails every check that asks it, and the run ends (exit 1)', async () => {
    const mock = await mockWith('gone');
    const device = await vendorFiles('gone-files', mock, 'WX-GONE', crypto.sm2GenerateKeyPair().privateKey);
    await mock.stop();
    const run = await conformance([...device, '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout[0]) as Report;
    // The vectors need no portal; everything else fails with the transport's error, or skips.
    expect(ids(report, 'pass')).toEqual(CONFORMANCE_CHECKS.filter((c) => c.id.startsWith('vectors.')).map((c) => c.id));
    expect(report.checks.find((c) => c.id === 'authorize.ok')?.detail).toMatch(/^no answer to check/);
  });
});
