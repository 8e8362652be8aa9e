// The mock portal against what its surroundings can do to it: a wall clock that steps (replayed
// requests stay refused: nonces expire on a monotonic clock), another user's files in its data
// directory (a planted admin token is refused, not adopted), and requests to random paths (the
// counters stay bounded).
import { chmod, chown, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { NonceMemory } from '../../../portal-client/mock/nonce-memory.js';
import { OTHER_PATHS } from '../../../portal-client/mock/request-counters.js';
import { startMockPortal } from '../../../portal-client/mock/start-mock-portal.js';
import { PATHS } from '../../../portal-client/protocol/constants.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { tempRoot } from '../../support/cli.js';
import { holdSession } from './session-tools.js';

describe('nonces expire on a monotonic clock', () => {
  it('NonceMemory keeps a nonce for keepMs of elapsed time, and only that long', () => {
    let t = 5_000;
    const nonces = new NonceMemory(240_000, () => t);
    expect(nonces.remember('a')).toBe(true);
    t += 239_999;
    expect(nonces.remember('a')).toBe(false);
    t += 1;
    expect(nonces.remember('a')).toBe(true); // forgotten after 240 s: a request that old fails its ts check
    expect(nonces.size).toBe(1);
  });

  let f: PortalFixture;
  beforeAll(async () => {
    f = await startPortalFixture({ deviceId: 'WX-STEP-0001' });
  });
  afterAll(async () => f.close());

  it('a captured verification is refused again after the portal clock steps forward and back', async () => {
    const { demoVenues } = await import('../../../portal-client/mock/domain/demo-dataset.js');
    await f.client().bind(demoVenues()[0].venueCode);
    const green = f.mock.passCodeFor('green');
    const held = await holdSession(f, green);
    const path = PATHS.verifyPassCode;
    try {
      const { nonce, envelope: captured } = held.seal(path, { code: green });
      expect(held.open(path, nonce, await held.post(path, captured))).toMatchObject({ ok: true });
      // The clock steps ten minutes ahead (the fault, or NTP): a request under it is accepted,
      // and the portal sweeps its nonces by its new time.
      const stepMs = 10 * 60_000;
      f.mock.server.setFaults({ clockSkewMs: stepMs });
      const ahead = held.seal(path, { code: green }, Date.now() + stepMs);
      expect(held.open(path, ahead.nonce, await held.post(path, ahead.envelope))).toMatchObject({ ok: true });
      // Back again: the captured request's ts is within the window once more, but not its nonce.
      f.mock.server.setFaults({ clockSkewMs: 0 });
      expect(held.open(path, nonce, await held.post(path, captured))).toMatchObject({
        ok: false,
        error: { code: 'REPLAY' },
      });
    } finally {
      f.mock.server.clearFaults();
      await held.close();
    }
  });
});

describe("the admin token is the mock's own", () => {
  const tmp = tempRoot('pg-mock-token-');
  afterAll(() => tmp.remove());
  let n = 0;

  /** A fresh data directory (0700) with `plant` applied before the mock starts. */
  async function startWith(plant: (dir: string) => Promise<void>) {
    const dir = join(tmp.root, `dir-${n++}`);
    await mkdir(dir, { mode: 0o700 });
    await plant(dir);
    return { dir, start: () => startMockPortal({ dir, crypto, plainHttp: true, seed: 'token-test' }) };
  }

  async function expectRefused(start: () => Promise<unknown>, problem: RegExp): Promise<void> {
    try {
      const mock = (await start()) as { stop(): Promise<void> };
      await mock.stop();
      expect.unreachable('the mock started with an untrusted admin token');
    } catch (error) {
      expect(isPassgateError(error, 'config.untrusted-path'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(problem);
      expect((error as Error).message).not.toContain('planted-token');
    }
  }

  it.skipIf(process.getuid?.() !== 0)(
    'a token file owned by another user is refused (needs root to chown)',
    async () => {
      const { start } = await startWith(async (dir) => {
        const file = join(dir, 'admin-token');
        await writeFile(file, 'planted-token-0123456789\n', { mode: 0o600 });
        await chown(file, 4242, 4242);
      });
      await expectRefused(start, /owned by user 4242/);
    },
  );

  it('a token file that group or others may read or write is refused', async () => {
    const { start } = await startWith(async (dir) => {
      await writeFile(join(dir, 'admin-token'), 'planted-token-0123456789\n', { mode: 0o600 });
      await chmod(join(dir, 'admin-token'), 0o644);
    });
    await expectRefused(start, /mode 0644/);
  });

  it('a symbolic link in place of the token file is refused', async () => {
    const { dir, start } = await startWith(async (d) => {
      await writeFile(join(d, 'elsewhere'), 'planted-token-0123456789\n', { mode: 0o600 });
      await symlink(join(d, 'elsewhere'), join(d, 'admin-token'));
    });
    await expectRefused(start, /not a regular file/);
    expect(await readFile(join(dir, 'elsewhere'), 'utf8')).toBe('planted-token-0123456789\n');
  });

  it('a data directory that group or others may write is refused', async () => {
    const { start } = await startWith(async (dir) => chmod(dir, 0o777));
    await expectRefused(start, /mode 0777/);
  });

  it('a new token is written atomically, mode 0600, and adopted on the next start', async () => {
    const { dir, start } = await startWith(async () => undefined);
    const first = await start();
    await first.stop();
    const file = join(dir, 'admin-token');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect((await readFile(file, 'utf8')).trim()).toBe(first.adminToken);
    const second = await start();
    await second.stop();
    expect(second.adminToken).toBe(first.adminToken);
    // A token too short to be one of ours is replaced, again atomically.
    await rm(file);
    await writeFile(file, 'short\n', { mode: 0o600 });
    const third = await start();
    await third.stop();
    expect(third.adminToken).not.toBe('short');
    expect((await readFile(file, 'utf8')).trim()).toBe(third.adminToken);
  });
});

describe('request counters', () => {
  let f: PortalFixture;
  beforeAll(async () => {
    f = await startPortalFixture({ deviceId: 'WX-COUNT-0001', plainHttp: true });
  });
  afterAll(async () => f.close());

  it('requests to 3,000 random paths share one bucket; served paths keep their own', async () => {
    f.mock.server.resetStats();
    const { createPortalTransport } = await import('../../../portal-client/transport.js');
    const { timeoutTable } = await import('../../../firmware/core/timeouts.js');
    const transport = createPortalTransport({ url: f.mock.url, allowInsecureHttp: true, timeouts: timeoutTable() });
    try {
      for (let batch = 0; batch < 30; batch++) {
        await Promise.all(
          Array.from({ length: 100 }, () =>
            transport.post(`/${crypto.randomBytes(12).toString('hex')}` as never, {}, '{}', 5000),
          ),
        );
      }
      await transport.post(PATHS.authorize, {}, '{}', 5000);
      await transport.post('/admin/nope' as never, {}, '{}', 5000);
    } finally {
      await transport.close();
    }
    const stats = f.mock.server.stats();
    expect(stats.requests).toBe(3002);
    expect(stats.byPath).toEqual({ [OTHER_PATHS]: 3001, [PATHS.authorize]: 1 });
  });
});
