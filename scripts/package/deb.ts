// `dist/passgate_<version>_<arch>.deb`, built with dpkg-deb from an app tree (app-tree.ts):
//   /opt/passgate/slots/a/          the app tree (postinst points /opt/passgate/current at it)
//   /usr/bin/passgate, passgate-mock   sh wrappers running the active slot's bundle
//   /lib/systemd/system/passgate.service, /lib/udev/rules.d/60-passgate.rules
// and the maintainer scripts of maintainer-scripts.ts. No conffiles: the package puts nothing in
// /etc; the configuration lives in the SQLite database under /var/lib/passgate.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AppManifest, REPO_ROOT } from './app-tree.js';
import { APP_ROOT, POSTINST, POSTRM, PRERM } from './maintainer-scripts.js';

/** Debian's version syntax: a pre-release `1.2.0-rc.1` sorts before `1.2.0` written `1.2.0~rc.1`. */
export function debianVersion(version: string): string {
  return version.replace('-', '~');
}

export function debFileName(manifest: AppManifest): string {
  return `passgate_${debianVersion(manifest.version)}_${manifest.arch}.deb`;
}

/** A wrapper in /usr/bin: the active slot's Node runtime running one of its bundles. */
export function wrapperScript(bundle: 'passgate' | 'passgate-mock'): string {
  return `#!/bin/sh
# ${bundle}: the bundle of the active app slot (${APP_ROOT}/current), run by that slot's own Node.
exec ${APP_ROOT}/current/bin/node ${APP_ROOT}/current/lib/${bundle}.mjs "$@"
`;
}

// The Node runtime and the native addons link against these (ldd); node-hid's hidraw and libusb
// backends need libudev and libusb.
const DEPENDS = 'libc6, libstdc++6, libgcc-s1, libudev1, libusb-1.0-0';

function control(manifest: AppManifest, installedKiB: number): string {
  return `Package: passgate
Version: ${debianVersion(manifest.version)}
Architecture: ${manifest.arch}
Maintainer: passgate maintainers <maintainers@passgate.invalid>
Installed-Size: ${installedKiB}
Depends: ${DEPENDS}
Recommends: systemd, udev
Suggests: ffmpeg, gpiod
Section: misc
Priority: optional
Description: gate runtime for Linux scanner terminals at venue gates
 Reads pass codes (QR, Grid Matrix; camera, serial or HID scanner) and resident ID cards
 (GA 467 reader), asks the city portal, and shows the verdict on LEDs, buzzer and relay.
 Ships its own Node runtime, the systemd unit, udev rules and the passgate-mock portal.
`;
}

/** Files 0644 (0755 when executable), directories 0755; the kilobytes installed. */
function normaliseModes(path: string): number {
  const st = statSync(path);
  if (st.isSymbolicLink()) return 0;
  if (st.isDirectory()) {
    chmodSync(path, 0o755);
    let kib = 0;
    for (const name of readdirSync(path)) kib += normaliseModes(join(path, name));
    return kib;
  }
  chmodSync(path, st.mode & 0o111 ? 0o755 : 0o644);
  return Math.ceil(st.size / 1024);
}

/**
 * The data archive's compression. zstd (dpkg ≥ 1.21.18, Debian 12) by default: the package
 * builds in seconds; xz saves about a quarter of the size (27 against 37 MB) but takes minutes on
 * a 2-core build box.
 */
export type DebCompression = 'zstd' | 'xz';

/**
 * Builds the .deb from the app tree in `appTree` into `outDir`; returns its path. `staging` is a
 * scratch directory (removed first).
 */
export function buildDeb(
  appTree: string,
  manifest: AppManifest,
  outDir: string,
  staging: string,
  compression: DebCompression = 'zstd',
): string {
  rmSync(staging, { recursive: true, force: true });
  const slot = join(staging, APP_ROOT.slice(1), 'slots', 'a');
  mkdirSync(slot, { recursive: true });
  cpSync(appTree, slot, { recursive: true });
  const usrBin = join(staging, 'usr/bin');
  mkdirSync(usrBin, { recursive: true });
  for (const bundle of ['passgate', 'passgate-mock'] as const)
    writeFileSync(join(usrBin, bundle), wrapperScript(bundle), { mode: 0o755 });
  const unitDir = join(staging, 'lib/systemd/system');
  const rulesDir = join(staging, 'lib/udev/rules.d');
  mkdirSync(unitDir, { recursive: true });
  mkdirSync(rulesDir, { recursive: true });
  copyFileSync(join(REPO_ROOT, 'firmware/systemd/passgate.service'), join(unitDir, 'passgate.service'));
  copyFileSync(join(REPO_ROOT, 'firmware/udev/60-passgate.rules'), join(rulesDir, '60-passgate.rules'));
  const installedKiB = normaliseModes(staging);

  const debian = join(staging, 'DEBIAN');
  mkdirSync(debian);
  writeFileSync(join(debian, 'control'), control(manifest, installedKiB), { mode: 0o644 });
  for (const [name, text] of [
    ['postinst', POSTINST],
    ['prerm', PRERM],
    ['postrm', POSTRM],
  ] as const) {
    writeFileSync(join(debian, name), text, { mode: 0o755 });
  }
  mkdirSync(outDir, { recursive: true });
  const deb = join(outDir, debFileName(manifest));
  execFileSync('dpkg-deb', ['--root-owner-group', `-Z${compression}`, '--build', staging, deb], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return deb;
}
