// The Mender Update Module `passgate` driven by Debian's mender-client 3.4 in standalone mode
// (`mender install`, `mender commit`, `mender rollback`), on .mender artifacts written by
// scripts/package/mender-artifact.ts with mender-artifact. The client's state lives in a
// temporary --data directory; the module must sit where the client looks for modules, and the
// client needs /etc/mender/artifact_info: both are put there for the test and removed after
// (as root, as the README's test command runs). The gate daemon runs from its slot under a
// supervisor script, against the mock portal.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { askDaemon } from '../../../firmware/daemon/control-socket.js';
import { readReleasePublicKey } from '../../../firmware/update/release-key.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { GATE_VENUE } from '../../../scripts/lab/provisioned-gate.js';
import { writeMenderArtifact } from '../../../scripts/package/mender-artifact.js';
import { buildBundle, makeAppTree, makeArtifact, makeInstallRoot, makeServiceScript } from '../../support/app-tree.js';
import { CHILD_START_MS, CHILD_TEST_MS, provisionGateDir, runMain, tempRoot } from '../../support/cli.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';
import { REPO } from '../../support/repo.js';

const MODULE_PATH = '/usr/share/mender/modules/v3/passgate';
const ARTIFACT_INFO = '/etc/mender/artifact_info';
const DEVICE_TYPE = 'passgate-test-gate';

let shared: ReturnType<typeof tempRoot>;
let bundle: string;
let fixture: PortalFixture;
let placed: string[] = [];
const mender: Record<string, string> = {};

let tmp: ReturnType<typeof tempRoot>;
let root: string;
let dataDir: string;
let service: string;
let menderData: string;
let updateEnv: string;

/** A .mender of `version` (its payload signed with `key`), written by the package script's function. */
async function menderArtifact(version: string, o: { crashOnRun?: boolean; key?: string } = {}): Promise<string> {
  const dir = join(shared.root, `${version}-${o.key ?? 'vendor'}`);
  mkdirSync(dir);
  const tree = makeAppTree(join(dir, 'tree'), bundle, { version, crashOnRun: o.crashOnRun });
  const artifact = makeArtifact(tree, dir, { version });
  expect(
    (await runMain(['release', 'sign', '--key', join(shared.root, `${o.key ?? 'vendor'}.key`), artifact])).code,
  ).toBe(EXIT.ok);
  return writeMenderArtifact({ updateArtifact: artifact, deviceTypes: ['other-board', DEVICE_TYPE] });
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('the Mender tests run as root (the README test command does)');
  for (const program of ['mender', 'mender-artifact']) {
    try {
      execFileSync('sh', ['-c', `command -v ${program}`]);
    } catch {
      throw new Error(`${program} is missing: apt-get install mender-client mender-artifact`);
    }
  }
  shared = tempRoot('pg-mender-shared-');
  bundle = buildBundle(join(shared.root, 'bundle'));
  for (const key of ['vendor', 'other']) await runMain(['release', 'keygen', '--out', join(shared.root, key)]);
  mender.good = await menderArtifact('1.1.0');
  mender.crashing = await menderArtifact('1.2.0', { crashOnRun: true });
  mender.otherKey = await menderArtifact('1.3.0', { key: 'other' });
  fixture = await startPortalFixture();
  // The client finds modules and artifact_info only at these paths; never replace what a real
  // installation put there.
  if (!existsSync(MODULE_PATH)) {
    copyFileSync(join(REPO, 'firmware/mender/passgate'), MODULE_PATH);
    placed.push(MODULE_PATH);
  }
  if (!existsSync(ARTIFACT_INFO)) {
    writeFileSync(ARTIFACT_INFO, 'artifact_name=passgate-1.0.0\n');
    placed.push(ARTIFACT_INFO);
  }
}, CHILD_TEST_MS * 2);
afterAll(async () => {
  for (const path of placed) rmSync(path, { force: true });
  placed = [];
  await fixture?.close();
  shared?.remove();
});

beforeEach(async () => {
  tmp = tempRoot('pg-mender-');
  root = makeInstallRoot(join(tmp.root, 'opt'), bundle, '1.0.0');
  dataDir = join(tmp.root, 'data');
  const releaseKey = (await readReleasePublicKey(join(shared.root, 'vendor.pem'))).toString('hex');
  await provisionGateDir(fixture.mock, dataDir, {
    bind: true,
    settings: { 'vendor.releasePublicKey': releaseKey, timeouts: { controlSocketMs: EVENT_WAIT_MS } },
  });
  service = makeServiceScript(tmp.root, root, dataDir);
  menderData = join(tmp.root, 'mender');
  mkdirSync(menderData);
  writeFileSync(join(menderData, 'device_type'), `device_type=${DEVICE_TYPE}\n`);
  // What /etc/passgate/update.env holds on a device; here the test's install.
  const passgate = join(tmp.root, 'passgate');
  writeFileSync(passgate, `#!/bin/sh\nexec '${root}/current/bin/node' '${root}/current/lib/passgate.mjs' "$@"\n`, {
    mode: 0o755,
  });
  updateEnv = join(tmp.root, 'update.env');
  writeFileSync(
    updateEnv,
    [
      `PASSGATE_BIN='${passgate}'`,
      `PASSGATE_INSTALL_ROOT='${root}'`,
      `PASSGATE_DATA_DIR='${dataDir}'`,
      `PASSGATE_SERVICE_CTL='${service}'`,
      `PASSGATE_FINISH='${join(REPO, 'firmware/update/passgate-update-finish')}'`,
      '',
    ].join('\n'),
  );
  execFileSync(service, ['start', 'passgate']);
}, CHILD_TEST_MS);
afterEach(() => {
  execFileSync(service, ['stop', 'passgate']);
  tmp.remove();
});

/** `mender --data DIR ARGS` with the module's settings file named in its environment. */
function runMender(...args: string[]): Promise<{ code: number; stdout: string; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'mender',
      ['--no-syslog', '--data', menderData, ...args],
      { env: { ...process.env, PASSGATE_UPDATE_ENV: updateEnv }, timeout: CHILD_TEST_MS / 2 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, output: `${stdout}${stderr}` }),
    );
  });
}

async function daemonHealthy(version: string): Promise<void> {
  const deadline = Date.now() + CHILD_START_MS;
  for (;;) {
    const status = await askDaemon(dataDir, { cmd: 'status' }, EVENT_WAIT_MS);
    if (status?.version === version && (status.portal as { tokenValid?: boolean })?.tokenValid === true) return;
    if (Date.now() > deadline) throw new Error(`daemon ${version} not healthy`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function installedArtifact(): Promise<string> {
  return (await runMender('show-artifact')).stdout.trim();
}

const current = () => readlinkSync(join(root, 'current'));

describe('the passgate Update Module under mender standalone', () => {
  it(
    'mender install, then mender commit: the new version runs, is ready and authorized, and stays',
    async () => {
      await daemonHealthy('1.0.0');
      const installed = await runMender('install', mender.good);
      expect(installed.code, installed.output).toBe(0);
      expect(current()).toBe('slots/b');
      const committed = await runMender('commit');
      expect(committed.code, committed.output).toBe(0);
      await daemonHealthy('1.1.0');
      expect(current()).toBe('slots/b');
      expect(await installedArtifact()).toBe('passgate-1.1.0');
      expect(
        JSON.parse((await runMain(['update', 'status', '--json'], { PASSGATE_INSTALL_ROOT: root })).stdout[0]),
      ).toMatchObject({ active: 'b', pending: null });
    },
    CHILD_TEST_MS,
  );

  it(
    'mender rollback puts the old version back',
    async () => {
      await daemonHealthy('1.0.0');
      expect((await runMender('install', mender.good)).code).toBe(0);
      const back = await runMender('rollback');
      expect(back.code, back.output).toBe(0);
      expect(current()).toBe('slots/a');
      await daemonHealthy('1.0.0');
      expect(await installedArtifact()).toBe('passgate-1.0.0');
    },
    CHILD_TEST_MS,
  );

  it(
    'a version that crash-loops fails mender commit and is rolled back',
    async () => {
      const store = ConfigStore.open(dataDir);
      store.set('timeouts', { controlSocketMs: EVENT_WAIT_MS, updateCommitMs: 3000, updateHealthPollMs: 200 });
      store.close();
      await daemonHealthy('1.0.0');
      expect((await runMender('install', mender.crashing)).code).toBe(0);
      const commit = await runMender('commit');
      expect(commit.code, commit.output).not.toBe(0);
      expect(current()).toBe('slots/a');
      await daemonHealthy('1.0.0');
      expect(await installedArtifact()).toBe('passgate-1.0.0');
    },
    CHILD_TEST_MS,
  );

  it(
    "refuses a payload not signed by the vendor's key, and a .mender changed after it was written",
    async () => {
      const refused = await runMender('install', mender.otherKey);
      expect(refused.code).not.toBe(0);
      expect(refused.output).toContain('does not verify');
      expect(current()).toBe('slots/a');
      const bytes = readFileSync(mender.good);
      const changed = join(tmp.root, 'changed.mender');
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
      writeFileSync(changed, bytes);
      expect((await runMender('install', changed)).code).not.toBe(0);
      expect(current()).toBe('slots/a');
      expect(await installedArtifact()).toBe('passgate-1.0.0');
    },
    CHILD_TEST_MS,
  );

  it(
    'the inventory script reports version, binding, venue code, portal contact and drivers, nothing personal',
    async () => {
      await daemonHealthy('1.0.0');
      const text = execFileSync(join(REPO, 'firmware/mender/inventory-passgate'), {
        env: { ...process.env, PASSGATE_UPDATE_ENV: updateEnv },
        timeout: CHILD_START_MS,
      }).toString();
      const lines = text.trim().split('\n');
      for (const line of lines) expect(line).toMatch(/^passgate_[a-z_]+=\S+$/);
      const values = Object.fromEntries(lines.map((l) => l.split('=')));
      expect(values).toMatchObject({
        passgate_version: '1.0.0',
        passgate_provisioned: 'yes',
        passgate_bound: 'yes',
        passgate_venue_code: GATE_VENUE.venueCode,
        passgate_daemon_version: '1.0.0',
        passgate_portal_token_valid: 'yes',
      });
      expect(Date.parse(values.passgate_portal_last_contact)).toBeGreaterThan(Date.now() - 3_600_000);
      expect(text).not.toContain(GATE_VENUE.name);
    },
    CHILD_TEST_MS,
  );
});
