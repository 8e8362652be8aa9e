// The daemon's start in this process: the instance lock comes before any device, a start that
// fails releases what it had taken (socket, lock), and the control socket is never, not for a
// moment, open to others.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { systemClock } from '../../../firmware/core/clock.js';
import { createMemoryLogger } from '../../../firmware/core/log.js';
import {
  CONTROL_SOCKET_FILE,
  type ControlSocket,
  controlSocketPath,
  listenControlSocket,
} from '../../../firmware/daemon/control-socket.js';
import { Daemon } from '../../../firmware/daemon/daemon.js';
import { crypto } from '../../../scripts/lab/portal-fixture.js';
import { tempRoot } from '../../support/cli.js';
import { rejection } from '../../support/failures.js';

let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;
beforeEach(() => {
  tmp = tempRoot('pg-start-order-');
  dataDir = join(tmp.root, 'gate');
  const store = ConfigStore.open(dataDir);
  store.setMany({ 'display.backend': 'none' });
  store.close();
});
afterEach(() => tmp.remove());

function start(inputs: MockSerialScanner[] = []): Promise<Daemon> {
  return Daemon.start({
    dataDir,
    crypto,
    logger: createMemoryLogger(),
    clock: systemClock,
    extraInputs: inputs,
    configuredDrivers: false,
  });
}

describe('daemon start', () => {
  it('a second daemon on the data directory fails before it opens an input', async () => {
    const first = await start();
    try {
      const scanner = new MockSerialScanner('second-scanner');
      expect((await rejection(start([scanner]))).code).toBe('daemon.already-running');
      expect(scanner.status().state).not.toBe('open');
      expect(first.status().phase).toBe('needs-provisioning');
    } finally {
      await first.stop();
    }
    const third = await start(); // the lock went with the first daemon
    await third.stop();
  });

  it('a start that fails after taking the lock and the socket releases both', async () => {
    const db = new Database(join(dataDir, 'passgate.db'));
    db.prepare('UPDATE settings SET value = ? WHERE key = ?').run('"serial-board"', 'display.backend');
    db.close();
    expect((await rejection(start())).code).toBe('config.invalid-value');
    expect(existsSync(controlSocketPath(dataDir))).toBe(false);
    const store = ConfigStore.open(dataDir);
    store.setMany({ 'display.backend': 'none' });
    store.close();
    const daemon = await start();
    await daemon.stop();
  });
});

describe('control socket', () => {
  let socket: ControlSocket | undefined;
  afterEach(async () => {
    await socket?.close();
    socket = undefined;
  });

  it('is created with mode 0600 under any umask: no moment in which others may connect', async () => {
    const previous = process.umask(0); // the most permissive a service manager could leave
    let modeAtCreation: number;
    try {
      const listening = listenControlSocket(dataDir, async () => ({}), 500);
      // bind(2) has created the file by now, before any callback could change its mode.
      modeAtCreation = statSync(join(dataDir, CONTROL_SOCKET_FILE)).mode & 0o777;
      socket = await listening;
    } finally {
      process.umask(previous);
    }
    expect(modeAtCreation.toString(8)).toBe('600');
    expect((statSync(socket.path).mode & 0o777).toString(8)).toBe('600');
    expect(process.umask()).toBe(previous);
  });
});
