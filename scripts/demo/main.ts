// `npm start`: the whole system on one machine, no hardware. Starts the bundled mock portal
// (HTTPS, its own CA), provisions a gate the way a vendor would, registers it, binds it, and runs
// the gate daemon with the terminal display, a keyboard "scanner" on stdin and a simulated ID-card
// reader. `npm start -- --script` walks through every outcome by itself and exits 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockIdCardReader } from '../../drivers/idcard/mock-reader.js';
import { runBindCommand } from '../../firmware/cli/bind-command.js';
import { runProvisionCommand } from '../../firmware/cli/provision-command.js';
import { ConfigStore } from '../../firmware/config/store.js';
import { systemClock } from '../../firmware/core/clock.js';
import type { IdCardIdentity } from '../../firmware/core/id-number.js';
import { createJsonLogger, type Logger } from '../../firmware/core/log.js';
import type { OutcomeKind } from '../../firmware/core/outcome.js';
import { Daemon } from '../../firmware/daemon/daemon.js';
import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import {
  DEMO_PASS_CODE_KEYWORDS,
  demoVenues,
  isDemoPassCodeKeyword,
} from '../../portal-client/mock/domain/demo-dataset.js';
import { type RunningMockPortal, startMockPortal } from '../../portal-client/mock/start-mock-portal.js';
import { LineScanner } from './stdin-scanner.js';

const DEMO_DEVICE_ID = 'WX-DEMO-GATE-01';
/** NAT within 48 h and 3 vaccine doses: a venue whose presets make every outcome reachable. */
const DEMO_VENUE = demoVenues().find((v) => v.natValidityHours === 48 && v.vaccinationDoses !== null)!;

interface DemoRig {
  mock: RunningMockPortal;
  daemon: Daemon;
  store: ConfigStore;
  dataDir: string;
  cards: MockIdCardReader;
  outcomes: OutcomeKind[];
  close(): Promise<void>;
}

const quiet = { stdout: () => undefined, stderr: (line: string) => process.stderr.write(line + '\n') };

async function startRig(options: { bound: boolean; showMs: number; mapInput: boolean }): Promise<DemoRig> {
  const root = mkdtempSync(join(tmpdir(), 'passgate-demo-'));
  const crypto = createGmCryptoSuite();
  const mock = await startMockPortal({ dir: join(root, 'portal'), crypto });
  const dataDir = join(root, 'gate');

  // The vendor's flashing step, through the same code as `passgate provision`.
  const store = ConfigStore.open(dataDir);
  let publicKey = '';
  const provisionOut = {
    stdout: (line: string) => (publicKey = JSON.parse(line).publicKey),
    stderr: quiet.stderr,
    readStdin: async () => mock.vendor.appSecret, // `--app-secret-file -`: never on a command line
  };
  const code = await runProvisionCommand(
    store,
    dataDir,
    [
      '--device-id',
      DEMO_DEVICE_ID,
      '--portal-url',
      mock.url,
      '--portal-public-key',
      mock.portalPublicKey.toString('hex'),
      '--app-id',
      mock.vendor.appId,
      '--app-secret-file',
      '-',
      '--json',
    ],
    crypto,
    provisionOut,
  );
  if (code !== 0) throw new Error(`provisioning failed (${code})`);
  store.setMany({ 'portal.caPem': mock.caPem ?? '', 'gate.showMs': options.showMs, 'display.backend': 'terminal' });
  mock.registerDevice(DEMO_DEVICE_ID, Buffer.from(publicKey, 'hex'));
  if (options.bound && (await runBindCommand('bind', store, dataDir, [DEMO_VENUE.venueCode], crypto, quiet)) !== 0)
    throw new Error('bind failed');

  const outcomes: OutcomeKind[] = [];
  const logLine = createJsonLogger((line) => process.stderr.write(line));
  const logger: Logger = {
    log(level, event, fields = {}) {
      if (event === 'verdict') {
        outcomes.push(fields.outcome as OutcomeKind);
        const portal = fields.portalMs === null ? '' : `, portal ${fields.portalMs} ms`;
        // On a TTY the display keeps a live output line without a newline: start below it.
        const lineBreak = process.stdout.isTTY ? '\n' : '';
        process.stdout.write(`${lineBreak}    (${fields.source}: read→signal ${fields.totalMs} ms${portal})\n`);
      } else if (level === 'error' || process.env.PASSGATE_DEMO_LOGS) {
        logLine.log(level, event, fields);
      }
    },
  };
  const cards = new MockIdCardReader('demo-card-reader');
  const keyboard = new LineScanner({
    name: 'demo-keyboard',
    input: process.stdin,
    mapLine: options.mapInput ? (line) => mapDemoLine(line, mock, cards) : () => null,
  });
  const daemon = await Daemon.start({
    dataDir,
    crypto,
    logger,
    clock: systemClock,
    displayStream: process.stdout,
    extraInputs: [keyboard, cards],
    configuredDrivers: false,
  });
  return {
    mock,
    daemon,
    store,
    dataDir,
    cards,
    outcomes,
    async close() {
      await daemon.stop();
      store.close();
      await mock.stop();
      process.stdin.pause();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function cardOf(mock: RunningMockPortal, keyword: string): IdCardIdentity | null {
  if (keyword === 'unknown') return { cardType: 'resident', ...mock.state.demo.unknownPerson };
  const ref = mock.state.demo.residents[keyword];
  const resident = ref ? mock.state.residents.byRef(ref) : undefined;
  return resident ? { cardType: 'resident', name: resident.name, idNumber: resident.idNumber } : null;
}

/** A keyword becomes a fresh pass code; `card <keyword>` puts a card on the reader; else pasted text. */
function mapDemoLine(line: string, mock: RunningMockPortal, cards: MockIdCardReader): string | null {
  const [word, arg] = line.split(/\s+/);
  if (word === 'card') {
    const card = arg === 'unreadable' ? null : cardOf(mock, arg ?? '');
    if (card) cards.present(card);
    else cards.fail('driver.card-invalid');
    return null;
  }
  if (word === 'help') {
    printHelp();
    return null;
  }
  return isDemoPassCodeKeyword(word) ? mock.passCodeFor(word) : line;
}

function printHelp(): void {
  process.stdout.write(
    [
      '',
      "passgate demo: type a keyword and Enter to scan that resident's pass code:",
      `  ${DEMO_PASS_CODE_KEYWORDS.join(', ')}`,
      "  card <keyword>     put that resident's ID card on the reader (card unknown, card unreadable)",
      '  or paste any pass code text. Ctrl-D or Ctrl-C ends the demo.',
      `  venue: ${DEMO_VENUE.name} (${DEMO_VENUE.venueCode}): NAT within 48 h, 3 vaccine doses`,
      '',
    ].join('\n') + '\n',
  );
}

async function interactive(): Promise<number> {
  const rig = await startRig({ bound: true, showMs: 2000, mapInput: true });
  printHelp();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    process.stdin.once('end', resolve);
  });
  await rig.close();
  return 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every outcome, each checked against the gate's own verdict log. */
async function script(): Promise<number> {
  const rig = await startRig({ bound: false, showMs: 300, mapInput: false });
  const { mock, daemon, cards, store } = rig;
  const scan = (text: string) =>
    daemon.input({ kind: 'code', source: 'demo-script', text, symbology: 'qr', arrivedAt: performance.now() });
  const failures: string[] = [];
  const step = async (title: string, expected: OutcomeKind, act: () => void | Promise<void>) => {
    process.stdout.write(`\n▶ ${title}\n`);
    const before = rig.outcomes.length;
    await act();
    const deadline = Date.now() + 5000;
    while (rig.outcomes.length === before && Date.now() < deadline) await sleep(20);
    const got = rig.outcomes[before];
    if (got !== expected) failures.push(`${title}: expected ${expected}, got ${got ?? 'nothing'}`);
    await sleep(400); // let the pattern finish before the next scan
  };

  await step('scan before the gate is bound', 'not-bound', () => scan(mock.passCodeFor('green')));
  process.stdout.write(`\n▶ technician binds the gate to ${DEMO_VENUE.venueCode}\n`);
  const bound = await runBindCommand('bind', store, rig.dataDir, [DEMO_VENUE.venueCode], createGmCryptoSuite(), {
    stdout: (l) => process.stdout.write(`    ${l}\n`),
    stderr: quiet.stderr,
  });
  if (bound !== 0) failures.push('bind failed');
  await sleep(800); // the daemon notices the binding through its config watch

  await step('green code', 'pass', () => scan(mock.passCodeFor('green')));
  await step('yellow code', 'deny', () => scan(mock.passCodeFor('yellow')));
  await step('red code', 'deny', () => scan(mock.passCodeFor('red')));
  await step('on the control list', 'deny', () => scan(mock.passCodeFor('control-list')));
  await step('苏康码 not updated for 15 days', 'check-skm', () => scan(mock.passCodeFor('stale')));
  await step('no 苏康码', 'check-skm', () => scan(mock.passCodeFor('no-skm')));
  await step('forged text instead of a pass code', 'show-code', () => scan(mock.passCodeFor('invalid')));
  await step('expired pass code', 'show-code', () => scan(mock.passCodeFor('expired')));
  await step('tampered pass code', 'show-code', () => scan(mock.passCodeFor('tampered')));
  await step("NAT older than the venue's 48 h", 'policy-deny', () => scan(mock.passCodeFor('nat-expired')));
  await step('two vaccine doses of three', 'policy-deny', () => scan(mock.passCodeFor('partly-vaccinated')));
  await step('venue set to warn on NAT: NAT too old', 'pass-with-notice', async () => {
    store.set('gate.natPolicy', 'warn');
    await sleep(800);
    scan(mock.passCodeFor('nat-expired'));
  });
  store.set('gate.natPolicy', 'deny');
  await step('ID card of a green resident', 'pass', () => cards.present(cardOf(mock, 'green')!));
  await step('ID card of a person the portal does not know', 'check-skm', () =>
    cards.present(cardOf(mock, 'unknown')!),
  );
  await step('unreadable ID card', 'read-error', () => cards.fail('driver.card-invalid'));
  await step('portal drops the connection', 'network-error', () => {
    mock.server.setFaults({ dropConnection: true });
    scan(mock.passCodeFor('green'));
  });
  mock.server.clearFaults();
  await step('portal answers with a forged MAC', 'network-error', () => {
    mock.server.setFaults({ wrongMac: true });
    scan(mock.passCodeFor('green'));
  });
  mock.server.clearFaults();
  await step('portal back: green code', 'pass', () => scan(mock.passCodeFor('green')));

  const counts = daemon.status().outcomes;
  await rig.close();
  process.stdout.write(
    `\noutcomes: ${Object.entries(counts)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}\n`,
  );
  if (failures.length > 0) {
    process.stdout.write(`\ndemo script FAILED:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
    return 1;
  }
  process.stdout.write('\ndemo script: every outcome shown\n');
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  return argv.includes('--script') ? script() : interactive();
}
