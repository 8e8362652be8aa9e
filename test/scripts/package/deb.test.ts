// The Debian package on this (Debian 12) system, as a vendor's image build installs it: built by
// the code of `npm run package`, installed with apt-get, `passgate --version` from /usr/bin, the
// service user in the device groups, the data directory at 0700; then purged, leaving nothing but
// the user (Debian's convention for system users) and, when the admin asks, the data.
// Needs root (dpkg); the test script runs as root and installs dpkg-dev when missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppTree } from '../../../scripts/package/app-tree.js';
import { buildDeb, debFileName } from '../../../scripts/package/deb.js';
import { DATA_DIR, DEVICE_GROUPS, KEEP_ON_PURGE } from '../../../scripts/package/maintainer-scripts.js';
import { tempRoot } from '../../support/cli.js';
import { REPO } from '../../support/repo.js';

const isRoot = process.getuid?.() === 0;
const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
/** apt-get and dpkg wait for the dpkg lock (another test may be installing) rather than failing. */
const APT = ['-y', '-q', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600'];
/** Building (a 100 MB tree) and two installs take minutes beside other work on a 2-core box. */
const PACKAGE_TEST_MS = 1_200_000;

const INSTALLED_PATHS = [
  '/usr/bin/passgate',
  '/usr/bin/passgate-mock',
  '/opt/passgate',
  '/lib/systemd/system/passgate.service',
  '/lib/udev/rules.d/60-passgate.rules',
];

function run(command: string, args: readonly string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(' ')} → ${r.status}: ${r.stderr}${r.stdout}`.slice(-2000));
  return r.stdout;
}

const packageInstalled = () =>
  /^Status: .* installed$/m.test(spawnSync('dpkg-query', ['-s', 'passgate'], { encoding: 'utf8' }).stdout);

describe.skipIf(!isRoot)('passgate_<version>_<arch>.deb (needs root for dpkg: skipped when not root)', () => {
  const tmp = tempRoot('pg-deb-');
  let deb = '';

  beforeAll(async () => {
    const tree = join(tmp.root, 'app');
    const manifest = await buildAppTree(tree);
    deb = buildDeb(tree, manifest, join(tmp.root, 'dist'), join(tmp.root, 'staging'));
    // A clean system: no package, and no service user left by an earlier purge.
    if (packageInstalled()) run('apt-get', ['purge', ...APT, 'passgate']);
    spawnSync('userdel', ['passgate']);
    // A file root left in the default data directory (a CLI command run without --data-dir as
    // root): the package makes it the service user's.
    mkdirSync(DATA_DIR, { recursive: true, mode: 0o755 });
    writeFileSync(join(DATA_DIR, 'left-by-root'), '', { mode: 0o600 });
  }, PACKAGE_TEST_MS);

  afterAll(() => {
    if (packageInstalled()) spawnSync('dpkg', ['--purge', 'passgate']);
    tmp.remove();
  });

  it('is named and labelled with package.json’s version and this architecture', () => {
    const arch = run('dpkg', ['--print-architecture']).trim();
    expect(deb.endsWith(`/${debFileName({ name: 'passgate', version, arch })}`)).toBe(true);
    expect(run('dpkg-deb', ['-f', deb, 'Package', 'Version', 'Architecture'])).toBe(
      `Package: passgate\nVersion: ${version}\nArchitecture: ${arch}\n`,
    );
    const files = run('dpkg-deb', ['-c', deb]);
    for (const path of [
      './opt/passgate/slots/a/bin/node',
      './opt/passgate/slots/a/lib/passgate.mjs',
      './opt/passgate/slots/a/lib/passgate-mock.mjs',
      './opt/passgate/slots/a/manifest.json',
      './opt/passgate/slots/a/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      './usr/bin/passgate',
      './usr/bin/passgate-mock',
      './lib/systemd/system/passgate.service',
      './lib/udev/rules.d/60-passgate.rules',
    ]) {
      expect(files).toContain(` ${path}\n`);
    }
    expect(files).not.toMatch(/node_modules\/(tsx|esbuild|typescript|vitest|rollup)\//);
  });

  it(
    'apt-get installs it: passgate --version, the service user and its groups, /var/lib/passgate 0700; purge removes it',
    () => {
      run('apt-get', ['install', ...APT, deb]);
      expect(execFileSync('/usr/bin/passgate', ['--version'], { encoding: 'utf8' }).trim()).toBe(`passgate ${version}`);
      expect(execFileSync('/usr/bin/passgate-mock', ['--version'], { encoding: 'utf8' }).trim()).toBe(
        `passgate-mock ${version}`,
      );
      expect(readlinkSync('/opt/passgate/current')).toBe('slots/a');

      const groups = run('id', ['-nG', 'passgate']).trim().split(/\s+/);
      expect(groups).toEqual(expect.arrayContaining(['passgate', ...DEVICE_GROUPS]));
      expect(run('getent', ['passwd', 'passgate'])).toMatch(
        /^passgate:x:\d+:\d+:[^:]*:\/var\/lib\/passgate:\/usr\/sbin\/nologin$/m,
      );
      const uid = Number(run('id', ['-u', 'passgate']));
      const dir = statSync(DATA_DIR);
      expect(dir.mode & 0o777).toBe(0o700);
      expect(dir.uid).toBe(uid);
      expect(statSync(join(DATA_DIR, 'left-by-root')).uid).toBe(uid);

      // The service user can use its data directory with the installed CLI, as the unit runs it.
      run('runuser', ['-u', 'passgate', '--', '/usr/bin/passgate', 'config', 'set', 'display.backend', 'none']);
      const db = readFileSync(join(DATA_DIR, 'passgate.db'));
      expect(db.subarray(0, 15).toString()).toBe('SQLite format 3');
      expect(statSync(join(DATA_DIR, 'passgate.db')).uid).toBe(uid);

      run('apt-get', ['purge', ...APT, 'passgate']);
      for (const path of [...INSTALLED_PATHS, DATA_DIR]) expect(existsSync(path), path).toBe(false);
      expect(existsSync('/etc/systemd/system/multi-user.target.wants/passgate.service')).toBe(false);
      // Debian keeps system users on purge: files elsewhere may still carry the uid.
      expect(Number(run('id', ['-u', 'passgate']))).toBe(uid);
    },
    PACKAGE_TEST_MS,
  );

  it(
    'purge keeps the data directory when the admin asked for it (/var/lib/passgate/.keep-on-purge)',
    () => {
      run('dpkg', ['-i', deb]);
      run('runuser', ['-u', 'passgate', '--', '/usr/bin/passgate', 'config', 'set', 'display.backend', 'none']);
      writeFileSync(KEEP_ON_PURGE, '');
      expect(run('dpkg', ['--purge', 'passgate'])).toContain(`keeping ${DATA_DIR}`);
      for (const path of INSTALLED_PATHS) expect(existsSync(path), path).toBe(false);
      expect(lstatSync(join(DATA_DIR, 'passgate.db')).isFile()).toBe(true);
      run('rm', ['-rf', DATA_DIR]);
    },
    PACKAGE_TEST_MS,
  );
});
