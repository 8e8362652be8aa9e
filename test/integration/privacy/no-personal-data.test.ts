// Standard 8.1.2 end to end: 1,000 mixed scans (fresh pass codes of every demo keyword, ID cards
// of every demo resident and of a person the portal does not know) go through the daemon as
// `passgate run` builds it; then every byte the gate wrote is searched for every pass code, name
// and ID number used, and for their masked forms: the data directory (recursively, raw bytes,
// the SQLite database with its -wal and -shm files), every JSON log line, everything the display
// printed (a non-TTY stream, as stderr is under systemd), and the control socket's status answer.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockIdCardReader } from '../../../drivers/idcard/mock-reader.js';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import type { IdCardIdentity } from '../../../firmware/core/id-number.js';
import { OUTCOME_KINDS } from '../../../firmware/core/outcome.js';
import { maskIdNumber, maskName } from '../../../firmware/core/verdict.js';
import { askDaemon } from '../../../firmware/daemon/control-socket.js';
import { Daemon } from '../../../firmware/daemon/daemon.js';
import { DEMO_PASS_CODE_KEYWORDS, DEMO_RESIDENT_KEYWORDS } from '../../../portal-client/mock/domain/demo-dataset.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { demoCard, provisionGate } from '../../../scripts/lab/provisioned-gate.js';
import { tempRoot } from '../../support/cli.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';
import { CapturingLogger } from '../gate-runner/runner-rig.js';

const SCANS = 1000;
const SHOW_MS = 200; // the shortest config allows

/** Every regular file under `dir`, recursively (sockets and other special files skipped). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) out.push(...filesUnder(path));
    else if (st.isFile()) out.push(path);
  }
  return out;
}

interface Finding {
  where: string;
  what: string;
}

/** Where any needle occurs in the files (raw bytes) or the texts. */
function search(
  needles: ReadonlyMap<string, string>,
  files: readonly string[],
  texts: ReadonlyArray<[string, string]>,
): Finding[] {
  const findings: Finding[] = [];
  const blobs = files.map((f) => [f, readFileSync(f)] as const);
  for (const [needle, what] of needles) {
    const bytes = Buffer.from(needle, 'utf8');
    for (const [file, blob] of blobs) if (blob.includes(bytes)) findings.push({ where: file, what });
    for (const [where, text] of texts) if (text.includes(needle)) findings.push({ where, what });
  }
  return findings;
}

describe('privacy: 1,000 scans through the daemon leave no pass code, name or ID number anywhere', () => {
  const clock = new FakeClock(0);
  const logger = new CapturingLogger();
  const display: string[] = [];
  const displayStream = {
    write: (chunk: string) => {
      display.push(chunk);
      return true;
    },
    isTTY: false,
  };
  const scanner = new MockSerialScanner('privacy-scanner');
  const cards = new MockIdCardReader('privacy-card-reader');
  /** needle → what it is (for the failure message, which must not repeat the needle itself). */
  const needles = new Map<string, string>();
  let fixture: PortalFixture;
  const tmp = tempRoot('pg-privacy-');
  let dataDir: string;
  let daemon: Daemon;
  let runningFiles: string[] = [];
  let runningFindings: Finding[] = [];
  let statusAnswer = '';

  beforeAll(async () => {
    fixture = await startPortalFixture();
    dataDir = join(tmp.root, 'gate');
    await provisionGate({
      dataDir,
      mock: fixture.mock,
      crypto,
      deviceId: 'WX-PRIVACY-01',
      settings: { 'display.backend': 'terminal', 'gate.showMs': SHOW_MS, 'gate.dedupWindowMs': 0 },
    });
    daemon = await Daemon.start({
      dataDir,
      crypto,
      logger,
      clock,
      displayStream,
      extraInputs: [scanner, cards],
      configuredDrivers: false,
    });

    const people: Array<{ label: string; card: IdCardIdentity }> = [
      ...DEMO_RESIDENT_KEYWORDS.map((k) => ({ label: `card of ${k}`, card: demoCard(fixture.mock, k) })),
      { label: 'card of the unknown person', card: demoCard(fixture.mock, 'unknown') },
    ];
    for (const [i, { label, card }] of people.entries()) {
      needles.set(card.name, `name #${i} (${label})`);
      needles.set(card.idNumber, `ID number #${i} (${label})`);
      needles.set(maskName(card.name), `masked name #${i} (${label})`);
      needles.set(maskIdNumber(card.idNumber), `masked ID number #${i} (${label})`);
    }
    const kinds = DEMO_PASS_CODE_KEYWORDS.length + people.length;
    for (let i = 0; i < SCANS; i++) {
      const k = (i * 7) % kinds; // 7 is coprime with 25: every kind, interleaved
      const index = logger.verdicts.length;
      if (k < DEMO_PASS_CODE_KEYWORDS.length) {
        const keyword = DEMO_PASS_CODE_KEYWORDS[k];
        const code = fixture.mock.passCodeFor(keyword);
        needles.set(code, `pass code of scan #${i} (${keyword})`);
        scanner.inject(code);
      } else {
        cards.present(people[k - DEMO_PASS_CODE_KEYWORDS.length].card);
      }
      await logger.verdict(index);
      await clock.advance(SHOW_MS);
    }
    statusAnswer = JSON.stringify(await askDaemon(dataDir, { cmd: 'status' }, EVENT_WAIT_MS));
    // The database as it is while the daemon runs: -wal and -shm still there.
    runningFiles = filesUnder(dataDir);
    runningFindings = search(needles, runningFiles, []);
    await daemon.stop();
  }, 240_000);

  afterAll(async () => {
    await daemon?.stop();
    await fixture?.close();
    tmp.remove();
  });

  it('ran 1,000 scans, each logged as a verdict, with many kinds of outcome (the search is not vacuous)', () => {
    expect(logger.verdicts).toHaveLength(SCANS);
    const kinds = new Set(logger.verdicts.map((v) => v.outcome));
    for (const kind of ['pass', 'deny', 'show-code', 'check-skm', 'policy-deny'] as const)
      expect(kinds).toContain(kind);
    expect([...kinds].every((k) => (OUTCOME_KINDS as readonly string[]).includes(k))).toBe(true);
    expect(needles.size).toBeGreaterThan(SCANS / 2);
    // The display printed every verdict (its opinion text), so it too was worth searching.
    expect(
      display
        .join('')
        .split('\n')
        .filter((l) => l.includes('否-') || l.includes('可')).length,
    ).toBeGreaterThanOrEqual(SCANS);
    expect(JSON.parse(statusAnswer).outcomes.pass).toBeGreaterThan(0);
    // The search itself finds what it looks for: a name, a masked ID and a pass code planted in a text.
    const planted = [...needles.keys()].filter((_, i) => i === 0 || i === 3 || i === needles.size - 1);
    expect(search(needles, [], [['planted', `{"x":"${planted.join(' ')}"}`]])).toHaveLength(3);
  });

  it('the database with its -wal and -shm, the device key, every file of the data directory: none of them', () => {
    // Searched while running, when SQLite's write-ahead log and shared-memory index exist…
    expect(runningFiles.map((f) => f.slice(dataDir.length + 1)).sort()).toEqual(
      expect.arrayContaining(['device.key', 'passgate.db', 'passgate.db-shm', 'passgate.db-wal']),
    );
    expect(runningFindings).toEqual([]);
    // …and again after the daemon stopped.
    const after = filesUnder(dataDir);
    expect(after.some((f) => f.endsWith('passgate.db'))).toBe(true);
    expect(search(needles, after, [])).toEqual([]);
  });

  it('every log line: none of them', () => {
    expect(logger.lines.length).toBeGreaterThan(SCANS);
    expect(
      search(
        needles,
        [],
        logger.lines.map((line, i) => [`log line ${i}`, line]),
      ),
    ).toEqual([]);
  });

  it("everything the display printed, and the control socket's status: none of them", () => {
    expect(
      search(
        needles,
        [],
        [
          ['display output', display.join('')],
          ['status answer', statusAnswer],
        ],
      ),
    ).toEqual([]);
  });
});
