// One version: package.json's, printed by `passgate --version` (-V, version) and `passgate-mock
// --version`, in `status` and the daemon's `ready` line, and written into the built bundle.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { passgateVersion } from '../../../firmware/core/version.js';
import { main as mockMain } from '../../../portal-client/mock/cli.js';
import { runMain } from '../../support/cli.js';
import { REPO } from '../../support/repo.js';

const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

describe('version', () => {
  it("is package.json's", () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(passgateVersion()).toBe(VERSION);
  });

  it('passgate --version, -V and version print it and exit 0, creating nothing', async () => {
    for (const argv of [['--version'], ['-V'], ['version'], ['--version', '--data-dir', '/nonexistent/passgate']]) {
      const r = await runMain(argv);
      expect(r, argv.join(' ')).toMatchObject({ code: 0, stdout: [`passgate ${VERSION}`], stderr: [] });
    }
  });

  it('passgate-mock --version, -V and version print it', async () => {
    for (const name of ['--version', '-V', 'version']) {
      const lines: string[] = [];
      const code = await mockMain([name], {
        io: { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l), untilStopped: () => new Promise(() => {}) },
      });
      expect(code, name).toBe(0);
      expect(lines).toEqual([`passgate-mock ${VERSION}`]);
    }
  });

  it('the built bundle carries it without reading package.json', () => {
    execFileSync(
      process.execPath,
      [join(REPO, 'node_modules/rollup/dist/bin/rollup'), '--config', 'scripts/rollup.config.mjs', '--silent'],
      {
        cwd: REPO,
        stdio: 'ignore',
      },
    );
    const bundle = readFileSync(join(REPO, 'dist/passgate.mjs'), 'utf8');
    expect(bundle).toContain(`return ${JSON.stringify(VERSION)};`);
    expect(bundle).not.toContain('package.json');
    const printed = execFileSync(process.execPath, [join(REPO, 'dist/passgate.mjs'), '--version'], {
      encoding: 'utf8',
    });
    expect(printed.trim()).toBe(`passgate ${VERSION}`);
  }, 120_000);
});
