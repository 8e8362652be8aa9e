// `npm run package` with a throwaway vendor key: the .deb, the update artifact and its signature
// (verified by the OpenSSL command line of the README), and the .mender for the `passgate` module
// with the device types asked for; unsigned, the .tar alone and a line saying why.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { debianArch } from '../../../firmware/update/app-tree.js';
import { defaultDeviceType, main, type PackageOutput, writeUpdateOutputs } from '../../../scripts/package/main.js';
import { buildBundle, makeAppTree } from '../../support/app-tree.js';
import { runMain, tempRoot } from '../../support/cli.js';
import { REPO } from '../../support/repo.js';

/** A full build (rollup, 100 MB tree, dpkg-deb, tar, signature, mender-artifact) beside other work. */
const PACKAGE_TEST_MS = 1_200_000;
const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const arch = debianArch();

const tmp = tempRoot('pg-package-');
afterAll(() => tmp.remove());

function recorder(): PackageOutput & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
}

function menderRead(path: string): string {
  return execFileSync('mender-artifact', ['read', path], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

describe('npm run package', () => {
  const dist = join(tmp.root, 'dist');
  const output = recorder();
  let code: number;

  beforeAll(async () => {
    const keygen = await runMain(['release', 'keygen', '--out', join(tmp.root, 'vendor')]);
    expect(keygen.code).toBe(EXIT.ok);
    code = await main(
      ['--out', dist, '--sign-key', join(tmp.root, 'vendor.key'), '--device-types', 'rk3568-gate, imx8-gate'],
      {},
      output,
    );
  }, PACKAGE_TEST_MS);

  it('writes the .deb, the signed .tar and the .mender, and names them', () => {
    expect(code, output.err.join('\n')).toBe(0);
    const names = [
      `passgate_${version}_${arch}.deb`,
      `passgate_${version}_${arch}.tar`,
      `passgate_${version}_${arch}.tar.sig`,
      `passgate_${version}_${arch}.mender`,
    ];
    expect(readdirSync(dist).sort()).toEqual([...names].sort()); // the scratch directory is gone
    expect(output.out).toEqual(names.map((n) => join(dist, n)));
  });

  it('the .tar is the app tree the .deb ships in slot a, and OpenSSL verifies its signature', () => {
    const tar = join(dist, `passgate_${version}_${arch}.tar`);
    const inTar = execFileSync('tar', ['-tf', tar], { maxBuffer: 64 << 20 })
      .toString()
      .split('\n');
    const inDeb = execFileSync('dpkg-deb', ['-c', join(dist, `passgate_${version}_${arch}.deb`)], {
      maxBuffer: 64 << 20,
    })
      .toString()
      .split('\n')
      .flatMap((line) => {
        const m = / \.\/opt\/passgate\/slots\/a\/(\S+)$/.exec(line);
        return m ? [`./${m[1]}`] : [];
      });
    const files = (list: string[]) => list.filter((p) => p !== '' && !p.endsWith('/')).sort();
    expect(files(inTar)).toEqual(files(inDeb));
    expect(inTar).toEqual(expect.arrayContaining(['./bin/node', './lib/passgate.mjs', './manifest.json']));
    const manifest = execFileSync('tar', ['-xOf', tar, './manifest.json']).toString();
    expect(JSON.parse(manifest)).toEqual({ name: 'passgate', version, arch });

    const verify = spawnSync(
      'openssl',
      [
        ...['pkeyutl', '-verify', '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678'],
        ...['-pubin', '-inkey', join(tmp.root, 'vendor.pem'), '-sigfile', `${tar}.sig`, '-in', tar],
      ],
      { encoding: 'utf8' },
    );
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('Signature Verified Successfully');
  });

  it('the .mender is a module-image for the passgate module, for the device types given', () => {
    const read = menderRead(join(dist, `passgate_${version}_${arch}.mender`));
    expect(read).toMatch(/Type: +passgate/);
    expect(read).toContain(`Name: passgate-${version}`);
    expect(read).toMatch(/Compatible devices: '\[rk3568-gate imx8-gate\]'/);
    expect(read).toContain(`passgate_${version}_${arch}.tar.sig`);
  });

  it('refuses unknown options and an empty device type list', async () => {
    const r = recorder();
    expect(await main(['--sign'], {}, r)).toBe(2);
    expect(await main(['--device-types', ' , '], {}, r)).toBe(2);
    expect(r.err[0]).toMatch(/^usage: npm run package/);
  });
});

describe('the update outputs of a tree', () => {
  it('unsigned: the .tar alone, no .sig or .mender, and a line saying why', async () => {
    const bundle = buildBundle(join(tmp.root, 'bundle'));
    const tree = makeAppTree(join(tmp.root, 'tree'), bundle, { version: '1.4.0' });
    const out = join(tmp.root, 'unsigned');
    const r = recorder();
    await writeUpdateOutputs(
      tree,
      { name: 'passgate', version: '1.4.0', arch },
      { outDir: out, signKey: undefined, deviceTypes: undefined },
      r,
    );
    expect(readdirSync(out)).toEqual([`passgate_1.4.0_${arch}.tar`]);
    expect(r.err.join('\n')).toMatch(/unsigned: no \.tar\.sig and no \.mender.*--sign-key/);
  });

  it('signed, with no device types given: the default passgate-<arch>', async () => {
    const tree = join(tmp.root, 'tree');
    const out = join(tmp.root, 'signed');
    const key = join(tmp.root, 'vendor.key');
    expect(existsSync(key)).toBe(true);
    const r = recorder();
    await writeUpdateOutputs(
      tree,
      { name: 'passgate', version: '1.4.0', arch },
      { outDir: out, signKey: key, deviceTypes: undefined },
      r,
    );
    expect(readdirSync(out).sort()).toEqual(
      [`passgate_1.4.0_${arch}.mender`, `passgate_1.4.0_${arch}.tar`, `passgate_1.4.0_${arch}.tar.sig`].sort(),
    );
    expect(defaultDeviceType({ arch })).toBe(`passgate-${arch}`);
    expect(menderRead(join(out, `passgate_1.4.0_${arch}.mender`))).toContain(
      `Compatible devices: '[passgate-${arch}]'`,
    );
  });
});
