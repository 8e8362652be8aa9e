// `passgate update apply|rollback|status` through main(), on an install root in a temporary
// directory: what a signed artifact changes, and that every refused one changes nothing.
import { existsSync, readFileSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { DATABASE_FILE } from '../../../firmware/config/database.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { readReleasePublicKey } from '../../../firmware/update/release-key.js';
import { buildBundle, makeAppTree, makeArtifact, makeInstallRoot } from '../../support/app-tree.js';
import { allText, CHILD_TEST_MS, type CliResult, expectBilingual, runMain, tempRoot } from '../../support/cli.js';

let shared: ReturnType<typeof tempRoot>;
let bundle: string;
let tmp: ReturnType<typeof tempRoot>;
let root: string;
let dataDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  shared = tempRoot('pg-upd-shared-');
  bundle = buildBundle(join(shared.root, 'bundle'));
  for (const name of ['vendor', 'other']) await runMain(['release', 'keygen', '--out', join(shared.root, name)]);
}, CHILD_TEST_MS);
afterAll(() => shared.remove());

beforeEach(async () => {
  tmp = tempRoot('pg-upd-');
  root = makeInstallRoot(join(tmp.root, 'opt'), bundle, '1.0.0');
  dataDir = join(tmp.root, 'data');
  const store = ConfigStore.open(dataDir);
  store.set('vendor.releasePublicKey', (await readReleasePublicKey(join(shared.root, 'vendor.pem'))).toString('hex'));
  store.close();
  // apply --no-restart and rollback only stop and start: record the calls, run nothing.
  const service = join(tmp.root, 'service-ctl');
  writeFileSync(service, `#!/bin/sh\necho "$1" >> '${join(tmp.root, 'calls')}'\n`, { mode: 0o755 });
  env = { PASSGATE_INSTALL_ROOT: root, PASSGATE_SERVICE_CTL: service };
});
afterEach(() => tmp.remove());

function update(...args: string[]): Promise<CliResult> {
  return runMain(['update', ...args, '--data-dir', dataDir], env);
}

async function signedArtifact(version: string, o: { key?: string; manifestVersion?: string } = {}): Promise<string> {
  const tree = makeAppTree(join(tmp.root, `tree-${version}`), bundle, { version: o.manifestVersion ?? version });
  const artifact = makeArtifact(tree, tmp.root, { version: o.manifestVersion ?? version });
  const named = join(tmp.root, `passgate_${version}_${artifact.split('_').pop()}`);
  if (named !== artifact) renameSync(artifact, named);
  const signed = await runMain(['release', 'sign', '--key', join(shared.root, `${o.key ?? 'vendor'}.key`), named]);
  expect(signed.code, allText(signed)).toBe(EXIT.ok);
  return named;
}

async function status(): Promise<{
  active: string;
  slots: Record<string, { version: string | null }>;
  pending: unknown;
}> {
  const r = await update('status', '--json');
  expect(r.code, allText(r)).toBe(EXIT.ok);
  return JSON.parse(r.stdout[0]);
}

async function expectUnchanged(): Promise<void> {
  expect(readlinkSync(join(root, 'current'))).toBe('slots/a');
  const s = await status();
  expect(s).toMatchObject({ active: 'a', slots: { a: { version: '1.0.0' }, b: { version: null } }, pending: null });
  expect(existsSync(join(tmp.root, 'calls'))).toBe(false);
}

describe('passgate update apply refuses', () => {
  it('an unsigned artifact', async () => {
    const artifact = await signedArtifact('1.1.0');
    renameSync(`${artifact}.sig`, join(tmp.root, 'elsewhere.sig'));
    const r = await update('apply', artifact);
    expect(r.code).toBe(EXIT.unsigned);
    expect(expectBilingual(r).en).toContain('no signature');
    await expectUnchanged();
  });

  it.each([0, 0.5, 1])('an artifact with one byte changed (at %f of its length)', async (at) => {
    const artifact = await signedArtifact('1.1.0');
    const bytes = readFileSync(artifact);
    const index = Math.min(bytes.length - 1, Math.floor(bytes.length * at));
    bytes[index] ^= 0x20;
    writeFileSync(artifact, bytes);
    const r = await update('apply', artifact);
    expect(r.code).toBe(EXIT.badSignature);
    expectBilingual(r);
    await expectUnchanged();
  });

  it('a changed signature, and one by another key', async () => {
    const artifact = await signedArtifact('1.1.0');
    const signature = readFileSync(`${artifact}.sig`);
    signature[signature.length - 1] ^= 0x01;
    writeFileSync(`${artifact}.sig`, signature);
    expect((await update('apply', artifact)).code).toBe(EXIT.badSignature);
    const other = await signedArtifact('1.2.0', { key: 'other' });
    const r = await update('apply', other);
    expect(r.code).toBe(EXIT.badSignature);
    await expectUnchanged();
  });

  it('a downgrade and the same version, by name and by manifest', async () => {
    for (const version of ['0.9.0', '1.0.0', '1.0.0-rc.1']) {
      const r = await update('apply', await signedArtifact(version));
      expect(r.code, version).toBe(EXIT.downgrade);
      expect(expectBilingual(r).zh).toContain('降级');
    }
    // An old signed artifact renamed to look newer: its manifest tells the truth.
    const renamed = await signedArtifact('2.0.0', { manifestVersion: '0.9.0' });
    expect((await update('apply', renamed)).code).toBe(EXIT.badArtifact);
    await expectUnchanged();
  });

  it('anything on a device without a release key, and names that are no artifact', async () => {
    const artifact = await signedArtifact('1.1.0');
    const odd = join(tmp.root, 'update.tar');
    renameSync(artifact, odd);
    expect((await update('apply', odd)).code).toBe(EXIT.badArtifact);
    const otherArch = join(tmp.root, 'passgate_1.1.0_sparc64.tar');
    renameSync(odd, otherArch);
    expect((await update('apply', otherArch)).code).toBe(EXIT.badArtifact);
    renameSync(otherArch, artifact);
    const store = ConfigStore.open(dataDir);
    store.set('vendor.releasePublicKey', '');
    store.close();
    const r = await update('apply', artifact);
    expect(r.code).toBe(EXIT.noReleaseKey);
    expect(expectBilingual(r).en).toContain('--vendor-release-key');
    await expectUnchanged();
  });
});

describe('passgate update apply, then rollback', () => {
  it('installs into the inactive slot, switches, and rolls back to the old slot and database', async () => {
    const artifact = await signedArtifact('1.1.0');
    const applied = await update('apply', '--no-restart', artifact);
    expect(applied.code, allText(applied)).toBe(EXIT.ok);
    expect(readlinkSync(join(root, 'current'))).toBe('slots/b');
    expect(await status()).toMatchObject({
      active: 'b',
      slots: { a: { version: '1.0.0' }, b: { version: '1.1.0' } },
      pending: { from: 'a', fromVersion: '1.0.0', to: 'b', toVersion: '1.1.0' },
    });
    // One update at a time: the pending one is committed or rolled back first.
    expect((await update('apply', '--no-restart', await signedArtifact('1.2.0'))).code).toBe(EXIT.installFailed);

    // The new version migrates the database to a schema the old one does not know.
    const db = new Database(join(dataDir, DATABASE_FILE));
    db.pragma('user_version = 999');
    db.close();
    expect((await runMain(['config', 'list', '--data-dir', dataDir])).code).toBe(EXIT.storage);

    const back = await update('rollback');
    expect(back.code, allText(back)).toBe(EXIT.ok);
    expect(readlinkSync(join(root, 'current'))).toBe('slots/a');
    expect(await status()).toMatchObject({ active: 'a', pending: null });
    expect(readFileSync(join(tmp.root, 'calls'), 'utf8').split('\n')).toEqual(['stop', 'start', '']);
    // The old version reads its own database again.
    expect((await runMain(['config', 'list', '--data-dir', dataDir])).code).toBe(EXIT.ok);

    expect((await update('rollback')).code).toBe(EXIT.nothingPending);
    expect((await update('rollback', '--if-pending')).code).toBe(EXIT.ok);
    expect((await update('commit')).code).toBe(EXIT.nothingPending);
  });

  it('goes back to the old slot at once when the service cannot be restarted', async () => {
    const service = join(tmp.root, 'failing-restart');
    writeFileSync(service, `#!/bin/sh\necho "$1" >> '${join(tmp.root, 'calls')}'\n[ "$1" != restart ]\n`, {
      mode: 0o755,
    });
    env.PASSGATE_SERVICE_CTL = service;
    const r = await update('apply', await signedArtifact('1.1.0'));
    expect(r.code).toBe(EXIT.installFailed);
    expect(allText(r)).toContain('restart passgate');
    expect(readlinkSync(join(root, 'current'))).toBe('slots/a');
    expect(await status()).toMatchObject({ active: 'a', pending: null, slots: { b: { version: '1.1.0' } } });
    expect(readFileSync(join(tmp.root, 'calls'), 'utf8').trim().split('\n')).toEqual(['restart', 'stop', 'start']);
  });

  it('status in words, and a wrong command line', async () => {
    const r = await update('status');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout.join('\n')).toMatch(/slot a: +1\.0\.0 \(当前 \/ active\)/);
    expect((await update('apply')).code).toBe(EXIT.usage);
    expect((await update('frobnicate')).code).toBe(EXIT.usage);
  });
});
