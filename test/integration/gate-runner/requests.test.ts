// What the gate asks the portal per scan, counted by the mock itself: one verification per
// accepted scan, none for a duplicate within the window, and no authorize on a scan's path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import { DEMO_PASS_CODE_KEYWORDS } from '../../../portal-client/mock/domain/demo-dataset.js';
import { PATHS } from '../../../portal-client/protocol/constants.js';
import { demoCard } from '../../../scripts/lab/provisioned-gate.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';
import { type RunnerRig, startRunnerRig } from './runner-rig.js';

const DEDUP_MS = 3000;
const SHOW_MS = 1000;

describe('requests per scan and duplicate suppression', () => {
  const clock = new FakeClock(0);
  let rig: RunnerRig;
  const count = (path: string) => rig.fixture.mock.server.stats().byPath[path] ?? 0;

  beforeAll(async () => {
    rig = await startRunnerRig({ clock, policy: { dedupWindowMs: DEDUP_MS, showMs: SHOW_MS } });
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** One scan, its verdict (real time), then the show time on the fake clock. */
  async function scanAndRest(scan: () => void): Promise<void> {
    const index = rig.logger.verdicts.length;
    scan();
    await rig.logger.verdict(index);
    await clock.advance(SHOW_MS);
  }

  it('the same pass code twice within the window → one request; after the window → a second', async () => {
    rig.fixture.mock.server.resetStats();
    const code = rig.fixture.mock.passCodeFor('green');
    await scanAndRest(() => rig.scanner.inject(code)); // t = 0
    const dropped = rig.runner.droppedCount();
    rig.scanner.inject(code); // t = 1000: within 3000
    expect(rig.runner.droppedCount()).toBe(dropped + 1);
    await clock.advance(1500);
    rig.scanner.inject(code); // t = 2500: still within
    expect(rig.runner.droppedCount()).toBe(dropped + 2);
    await clock.advance(DEDUP_MS);
    expect(count(PATHS.verifyPassCode)).toBe(1);
    await scanAndRest(() => rig.scanner.inject(code)); // t = 5500: the window has passed
    expect(count(PATHS.verifyPassCode)).toBe(2);
    expect(rig.logger.events('input-dropped').filter((e) => e.reason === 'duplicate')).toHaveLength(2);
  });

  it('the same card twice within the window → one request; after the window → a second', async () => {
    await clock.advance(DEDUP_MS);
    rig.fixture.mock.server.resetStats();
    const card = demoCard(rig.fixture.mock, 'green');
    await scanAndRest(() => rig.cards.present(card));
    rig.cards.present(card);
    expect(count(PATHS.verifyIdCard)).toBe(1);
    await clock.advance(DEDUP_MS);
    await scanAndRest(() => rig.cards.present(card));
    expect(count(PATHS.verifyIdCard)).toBe(2);
  });

  it('a different code is not a duplicate of the one before it', async () => {
    await clock.advance(DEDUP_MS);
    rig.fixture.mock.server.resetStats();
    await scanAndRest(() => rig.scanner.inject(rig.fixture.mock.passCodeFor('green')));
    await scanAndRest(() => rig.scanner.inject(rig.fixture.mock.passCodeFor('green')));
    expect(count(PATHS.verifyPassCode)).toBe(2);
  });

  it("N scans → exactly N verify requests and no authorize on the scans' path", async () => {
    await clock.advance(DEDUP_MS);
    rig.fixture.mock.server.resetStats();
    const n = 60;
    for (let i = 0; i < n; i++) {
      const keyword = DEMO_PASS_CODE_KEYWORDS[i % DEMO_PASS_CODE_KEYWORDS.length];
      if (i % 5 === 4)
        await scanAndRest(() => rig.cards.present(demoCard(rig.fixture.mock, i % 2 ? 'yellow' : 'unknown')));
      else await scanAndRest(() => rig.scanner.inject(rig.fixture.mock.passCodeFor(keyword)));
      await clock.advance(DEDUP_MS); // cards repeat: let the window pass
    }
    const stats = rig.fixture.mock.server.stats();
    expect((stats.byPath[PATHS.verifyPassCode] ?? 0) + (stats.byPath[PATHS.verifyIdCard] ?? 0)).toBe(n);
    expect(stats.byPath[PATHS.authorize] ?? 0).toBe(0);
    expect(stats.requests).toBe(n);
    // Keep-alive: the scans did not each open a connection.
    expect(stats.connections).toBeLessThanOrEqual(2);
  });

  it('an expired token is replaced within the scan: one authorize, the verification sent again, still a verdict', async () => {
    await clock.advance(DEDUP_MS);
    rig.fixture.mock.server.resetStats();
    rig.fixture.mock.server.expireTokens();
    await scanAndRest(() => rig.scanner.inject(rig.fixture.mock.passCodeFor('green')));
    expect(rig.logger.verdicts.at(-1)?.outcome).toBe('pass');
    expect(count(PATHS.authorize)).toBe(1);
    expect(count(PATHS.verifyPassCode)).toBe(2);
    // And the next scan uses the new token: one request.
    rig.fixture.mock.server.resetStats();
    await scanAndRest(() => rig.scanner.inject(rig.fixture.mock.passCodeFor('green')));
    expect(rig.fixture.mock.server.stats().requests).toBe(1);
  });
});

describe('token refresh runs off the scan path', () => {
  const clock = new FakeClock(0);
  let rig: RunnerRig;
  /**
   * Tokens valid 6 s: the client renews each at half its life (3 s), in the background. The other
   * half is the time the background authorize has to finish before the old token runs out: far
   * more than it takes (SM2 on both sides, well under a second) even beside CPU-bound neighbours.
   */
  const TOKEN_TTL_MS = 6000;

  beforeAll(async () => {
    rig = await startRunnerRig({ clock, tokenTtlMs: TOKEN_TTL_MS, policy: { dedupWindowMs: 0, showMs: SHOW_MS } });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('scans during background refreshes each cost exactly one verify request: no token is ever rejected on a scan', async () => {
    rig.fixture.mock.server.resetStats();
    const authorizes = () => rig.fixture.mock.server.stats().byPath[PATHS.authorize] ?? 0;
    const started = Date.now();
    let scans = 0;
    let scansAfterRefresh = 0;
    // Back-to-back scans until the background refresh has been asked for, and a few more after
    // it: some run while it is under way, the later ones on the new token.
    while (scansAfterRefresh < 5) {
      if (Date.now() - started > EVENT_WAIT_MS) throw new Error(`no background refresh after ${scans} scans`);
      const refreshing = authorizes() > 0;
      const index = rig.logger.verdicts.length;
      rig.scanner.inject(rig.fixture.mock.passCodeFor('green'));
      const verdict = await rig.logger.verdict(index);
      expect(verdict.outcome).toBe('pass');
      await clock.advance(SHOW_MS);
      scans++;
      if (refreshing) scansAfterRefresh++;
    }
    const stats = rig.fixture.mock.server.stats();
    expect(stats.byPath[PATHS.verifyPassCode]).toBe(scans);
    expect(stats.byPath[PATHS.authorize] ?? 0).toBeGreaterThanOrEqual(1); // the refresh happened
    expect(stats.requests).toBe(scans + (stats.byPath[PATHS.authorize] ?? 0));
    expect(rig.client.status().tokenValid).toBe(true);
  });
});
