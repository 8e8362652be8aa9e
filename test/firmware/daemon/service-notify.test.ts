// sd_notify for Type=notify: the notifier's schedule on the fake clock, then `passgate run` as
// systemd runs it: $NOTIFY_SOCKET at a fake service manager's socket, stdout the journal stream.
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import { createMemoryLogger, type LogLevel, SYSLOG_PRIORITY } from '../../../firmware/core/log.js';
import {
  ServiceNotifier,
  serviceNotifierFromEnv,
  systemdNotifySend,
  watchdogPeriodMs,
} from '../../../firmware/daemon/service-notify.js';
import { CHILD_START_MS, CHILD_TEST_MS, cli, tempRoot } from '../../support/cli.js';
import { type NotifyListener, startNotifyListener } from '../../support/notify-listener.js';
import { until } from '../../support/polling.js';
import { PASSGATE_BIN, REPO } from '../../support/repo.js';

describe('watchdogPeriodMs', () => {
  it('is half of $WATCHDOG_USEC, for this process only', () => {
    expect(watchdogPeriodMs({ WATCHDOG_USEC: '30000000' }, 42)).toBe(15_000);
    expect(watchdogPeriodMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toBe(15_000);
    expect(watchdogPeriodMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '43' }, 42)).toBeNull();
    expect(watchdogPeriodMs({}, 42)).toBeNull();
    expect(watchdogPeriodMs({ WATCHDOG_USEC: '0' }, 42)).toBeNull();
    expect(watchdogPeriodMs({ WATCHDOG_USEC: 'soon' }, 42)).toBeNull();
  });

  it('no notifier without $NOTIFY_SOCKET', () => {
    const deps = { clock: new FakeClock(), logger: createMemoryLogger(), timeoutMs: 1000, pid: 1 };
    expect(serviceNotifierFromEnv({ WATCHDOG_USEC: '1000000' }, deps)).toBeNull();
    expect(serviceNotifierFromEnv({ NOTIFY_SOCKET: '/run/x' }, deps)).toBeInstanceOf(ServiceNotifier);
  });
});

describe('ServiceNotifier', () => {
  function rig(watchdogMs: number | null) {
    const clock = new FakeClock();
    const logger = createMemoryLogger();
    const sent: { at: number; message: string }[] = [];
    let answer: () => Promise<void> = () => Promise.resolve();
    const notifier = new ServiceNotifier({
      send: (message) => {
        sent.push({ at: clock.now(), message });
        return answer();
      },
      clock,
      logger,
      watchdogMs,
    });
    return { clock, logger, sent, notifier, answerWith: (fn: () => Promise<void>) => (answer = fn) };
  }

  it('READY=1 once, then WATCHDOG=1 every period; STOPPING=1 ends the pings', async () => {
    const { clock, sent, notifier } = rig(500);
    notifier.ready();
    notifier.ready();
    await clock.advance(2000);
    expect(sent).toEqual([
      { at: 0, message: 'READY=1' },
      { at: 500, message: 'WATCHDOG=1' },
      { at: 1000, message: 'WATCHDOG=1' },
      { at: 1500, message: 'WATCHDOG=1' },
      { at: 2000, message: 'WATCHDOG=1' },
    ]);
    await notifier.stopping();
    await clock.advance(2000);
    expect(sent.map((s) => s.message).slice(5)).toEqual(['STOPPING=1']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('without a watchdog: READY=1 and no pings', async () => {
    const { clock, sent, notifier } = rig(null);
    notifier.ready();
    await clock.advance(60_000);
    expect(sent.map((s) => s.message)).toEqual(['READY=1']);
  });

  it('a ping still on its way is not doubled; a failed one is logged by code', async () => {
    const { clock, sent, notifier, logger, answerWith } = rig(100);
    let release: () => void = () => undefined;
    answerWith(() => new Promise<void>((resolve) => (release = resolve)));
    notifier.ready();
    await clock.advance(500);
    // READY=1 and the first ping hang; later periods send nothing more meanwhile.
    expect(sent.map((s) => s.message)).toEqual(['READY=1', 'WATCHDOG=1']);
    release();
    answerWith(() => Promise.reject(Object.assign(new Error('x'), { code: 'exit-1' })));
    await clock.advance(100);
    expect(sent.map((s) => s.message)).toEqual(['READY=1', 'WATCHDOG=1', 'WATCHDOG=1']);
    const failed = logger.lines.map((l) => JSON.parse(l)).filter((l) => l.event === 'notify-failed');
    expect(failed).toEqual([expect.objectContaining({ level: 'warn', message: 'WATCHDOG=1', code: 'exit-1' })]);
    await notifier.stopping();
  });

  it('systemdNotifySend reports a missing command by its code', async () => {
    const send = systemdNotifySend(5000, '/nonexistent/systemd-notify');
    await expect(send('READY=1')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('passgate run as systemd runs it (Type=notify, stdout to the journal)', () => {
  const tmp = tempRoot('pg-notify-');
  const dataDir = join(tmp.root, 'gate');
  const logFile = join(tmp.root, 'journal');
  let listener: NotifyListener;

  beforeAll(async () => {
    writeFileSync(logFile, '');
    listener = await startNotifyListener(tmp.root, logFile);
    expect((await cli(dataDir, 'config', 'set', 'display.backend', 'none')).code).toBe(0);
  }, CHILD_TEST_MS);

  afterAll(async () => {
    await listener?.close();
    tmp.remove();
  });

  it(
    'READY=1 once, after the ready line; WATCHDOG=1 keeps coming; STOPPING=1 on SIGTERM; lines carry <N>',
    async () => {
      // stdout is a file standing in for the journal stream; $JOURNAL_STREAM names it, as systemd does.
      const out = openSync(logFile, 'a');
      const { dev, ino } = fstatSync(out);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NOTIFY_SOCKET: listener.path,
        WATCHDOG_USEC: '200000', // a ping every 100 ms
        WATCHDOG_PID: '',
        JOURNAL_STREAM: `${dev}:${ino}`,
      };
      delete env.PASSGATE_DATA_DIR;
      const child = spawn(process.execPath, [PASSGATE_BIN, 'run', '--data-dir', dataDir], {
        cwd: REPO,
        env,
        stdio: ['ignore', out, 'ignore'],
      });
      closeSync(out);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const pings = () => listener.messages.filter((m) => m === 'WATCHDOG=1').length;
      try {
        await until(() => listener.messages.includes('READY=1'), CHILD_START_MS, 'READY=1');
        await until(() => pings() >= 3, undefined, 'three watchdog pings');
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      await until(() => listener.messages.includes('STOPPING=1'), undefined, 'STOPPING=1');

      const first = listener.messages.indexOf('READY=1');
      expect(listener.messages.filter((m) => m === 'READY=1')).toHaveLength(1);
      expect(listener.readyLoggedAt[first]).toBe(true);
      expect(listener.messages.slice(0, first)).toEqual([]);
      // Nothing but the three states, and systemd-notify's barrier after each.
      expect(new Set(listener.messages)).toEqual(new Set(['READY=1', 'WATCHDOG=1', 'STOPPING=1', 'BARRIER=1']));

      const lines = readFileSync(logFile, 'utf8').trim().split('\n');
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) {
        const m = /^<(\d)>(\{.*\})$/.exec(line);
        expect(m, line).not.toBeNull();
        const { level } = JSON.parse(m?.[2] ?? '{}') as { level: LogLevel };
        expect(Number(m?.[1])).toBe(SYSLOG_PRIORITY[level]);
      }
      expect(lines.some((l) => l.startsWith('<6>') && l.includes('"event":"ready"'))).toBe(true);
      expect(lines.join('\n')).not.toContain('notify-failed');
    },
    CHILD_TEST_MS,
  );
});
