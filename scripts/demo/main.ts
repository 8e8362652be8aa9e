// `npm start`: the whole system on one machine, no hardware. Starts the bundled mock portal
// (HTTPS, its own CA), provisions a gate the way a vendor would, registers it, binds it, and runs
// the gate daemon with the terminal display, a keyboard "scanner" on stdin and a simulated ID-card
// reader. `npm start -- --script` walks through every outcome by itself and exits 0;
// `npm start -- --help` prints the usage.
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
import { DemoConsole } from './demo-console.js';
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

/** Where the demo's own lines go: the interactive console, or stdout for the script. */
type Print = (text: string) => void;
const printToStdout: Print = (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

interface RigOptions {
  bound: boolean;
  showMs: number;
  /** The interactive console (typed commands); without one, the script drives the gate itself. */
  console?: DemoConsole;
}

async function startRig(options: RigOptions): Promise<DemoRig> {
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
  const print: Print = options.console ? (text) => options.console!.print(text) : printToStdout;
  const logLine = createJsonLogger((line) => process.stderr.write(line));
  const logger: Logger = {
    log(level, event, fields = {}) {
      if (event === 'verdict') {
        outcomes.push(fields.outcome as OutcomeKind);
        const portal = fields.portalMs === null ? '' : `, portal ${fields.portalMs} ms`;
        print(`    (${fields.source}: read→signal ${fields.totalMs} ms${portal})`);
      } else if (level === 'error' || process.env.PASSGATE_DEMO_LOGS) {
        logLine.log(level, event, fields);
      }
    },
  };
  const cards = new MockIdCardReader('demo-card-reader');
  const demoConsole = options.console;
  const keyboard = new LineScanner({
    name: 'demo-keyboard',
    input: demoConsole ? demoConsole.lines : process.stdin,
    mapLine: demoConsole
      ? (line) => {
          const code = mapDemoLine(line, mock, cards, demoConsole);
          demoConsole.lineHandled();
          return code;
        }
      : () => null,
  });
  const daemon = await Daemon.start({
    dataDir,
    crypto,
    logger,
    clock: systemClock,
    displayStream: demoConsole ? demoConsole.displayStream : process.stdout,
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
      demoConsole?.close();
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

/** The marker of a typed pass code: `code <text>` scans <text> as it is. */
const CODE_MARKER = 'code';

/**
 * One typed line: a keyword scans a fresh pass code for that resident; `card <keyword>` puts a
 * card on the reader; `code <text>` scans <text>; `help` and `quit`. Anything else is not a
 * command and is not scanned (a mistyped `gren` is no pass code): the demo says so.
 */
function mapDemoLine(line: string, mock: RunningMockPortal, cards: MockIdCardReader, out: DemoConsole): string | null {
  const [word, arg] = line.split(/\s+/);
  if (word === 'card') {
    const card = arg === 'unreadable' ? null : cardOf(mock, arg ?? '');
    if (card) cards.present(card);
    else cards.fail('driver.card-invalid');
    return null;
  }
  if (word === CODE_MARKER) {
    const text = line.slice(line.indexOf(CODE_MARKER) + CODE_MARKER.length).trim();
    if (text) return text;
    out.print('用法 / usage: code <通行码文本 pass code text>');
    return null;
  }
  if (word === 'help' || word === '?') {
    out.print(helpText());
    return null;
  }
  if (word === 'quit' || word === 'exit') {
    out.endInput();
    return null;
  }
  if (isDemoPassCodeKeyword(word)) return mock.passCodeFor(word);
  // Not echoed in full: whatever was typed may have been a real code.
  out.print(
    `未知命令 / unknown command: ${JSON.stringify(word.slice(0, 16))}; ` +
      '输入 help 查看命令；扫描一段文本请用 code <文本> / type help for the commands; to scan some text, type code <text>',
  );
  return null;
}

function helpText(): string {
  return [
    '',
    'passgate 演示命令 / passgate demo commands:',
    `  ${DEMO_PASS_CODE_KEYWORDS.join(', ')}`,
    "                     扫描该居民的通行码 / scan that resident's pass code",
    "  card <keyword>     把该居民的身份证放上读卡器 / put that resident's ID card on the reader",
    '                     (card unknown, card unreadable)',
    '  code <text>        把文本当作通行码扫描 / scan <text> as a pass code (e.g. one pasted from passgate-mock issue)',
    '  help               本帮助 / this help',
    '  quit               结束演示（或 Ctrl-D、Ctrl-C）/ end the demo (or Ctrl-D, Ctrl-C)',
    `  场所 / venue: ${DEMO_VENUE.name} (${DEMO_VENUE.venueCode}): NAT within 48 h, 3 vaccine doses`,
    '',
  ].join('\n');
}

async function interactive(): Promise<number> {
  const demoConsole = new DemoConsole(process.stdin, process.stdout);
  const rig = await startRig({ bound: true, showMs: 2000, console: demoConsole });
  demoConsole.print(helpText());
  demoConsole.prompt();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    demoConsole.lines.once('end', resolve);
  });
  await rig.close();
  // After `quit` stdin is still open (a pipe, or the terminal): let go of it, so the demo ends.
  process.stdin.destroy();
  return 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every outcome, each checked against the gate's own verdict log. */
async function script(): Promise<number> {
  const rig = await startRig({ bound: false, showMs: 300 });
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

const USAGE = [
  '用法 / usage: npm start [-- --script | -- --help]',
  '  (无参数 / none)  交互式演示：模拟门户平台、闸机和键盘扫码器 / the interactive demo: mock portal, gate and a keyboard scanner',
  '  --script         自动演示每种结果后退出 / walk through every outcome by itself, then exit',
  '  --help, -h       本用法 / this usage',
  '演示中输入 help 查看命令 / in the demo, type help for its commands',
].join('\n');

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = argv.find((a) => a !== '--script');
  if (unknown !== undefined) {
    process.stderr.write(
      `错误: 未知参数 / error: unknown argument ${JSON.stringify(unknown.slice(0, 40))}\n${USAGE}\n`,
    );
    return 2;
  }
  return argv.includes('--script') ? script() : interactive();
}
