// A unix socket in the data directory through which the CLI asks a running daemon for its
// status and to flash its lights (selftest). One JSON line in, one JSON line out. Mode 0600:
// only root (the daemon's user) may ask. Answers never carry personal data.

import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';

export const CONTROL_SOCKET_FILE = 'passgate.sock';
const MAX_LINE = 64 * 1024;

export type ControlRequest = { cmd: 'status' } | { cmd: 'selftest-display' };
export type ControlHandler = (request: ControlRequest) => Promise<unknown>;

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET_FILE);
}

export async function listenControlSocket(dataDir: string, handler: ControlHandler): Promise<Server> {
  const path = controlSocketPath(dataDir);
  if (existsSync(path)) {
    // A socket left by a daemon that died: nobody answers it, so it is safe to replace.
    if ((await askDaemon(dataDir, { cmd: 'status' }, 500)) !== null) {
      throw new Error('another passgate daemon is running on this data directory');
    }
    unlinkSync(path);
  }
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE) return socket.destroy();
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      let request: ControlRequest;
      try {
        request = JSON.parse(buffer.slice(0, newline)) as ControlRequest;
      } catch {
        return void socket.end(JSON.stringify({ error: 'bad request' }) + '\n');
      }
      handler(request).then(
        (answer) => socket.end(JSON.stringify(answer ?? {}) + '\n'),
        (error: unknown) => socket.end(JSON.stringify({ error: (error as Error).message }) + '\n'),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return server;
}

/** The daemon's answer, or null when no daemon listens (or it does not answer in time). */
export function askDaemon(
  dataDir: string,
  request: ControlRequest,
  timeoutMs: number,
): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const socket = createConnection(controlSocketPath(dataDir));
    let buffer = '';
    const done = (value: Record<string, unknown> | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE) return done(null);
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      try {
        done(JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>);
      } catch {
        done(null);
      }
    });
    socket.on('error', () => done(null));
    socket.on('close', () => done(null));
  });
}
