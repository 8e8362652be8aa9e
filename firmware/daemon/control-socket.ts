// A unix socket in the data directory through which the CLI talks to a running daemon: status,
// the selftest lights, and bind mode. One JSON request line in; JSON lines out, of which the last
// one, after which the daemon closes the connection, is the answer. A request may hold its
// connection open for as long as it lasts: bind mode does, and the daemon ends bind mode the
// moment the CLI's connection closes (Ctrl-C, SIGTERM, a lost terminal: the kernel closes it).
//
// The socket is created under umask 0177, so it has mode 0600 from the moment it exists: only
// root (the daemon's user) may connect. Answers never carry personal data.

import { lstatSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { isPassgateError, PassgateError } from '../core/errors.js';
import { BIND_MODES, type BindMode } from '../gate/model.js';

export const CONTROL_SOCKET_FILE = 'passgate.sock';
/**
 * Longest socket path, in bytes: sun_path of Linux's struct sockaddr_un holds 108 bytes, the
 * terminating NUL included. Node binds a longer path silently truncated, to a file of another name.
 */
export const MAX_SOCKET_PATH_BYTES = 107;
const MAX_LINE = 64 * 1024;

export type ControlRequest = { cmd: 'status' } | { cmd: 'selftest-display' } | { cmd: 'bind-scan'; mode: BindMode };
export type ControlMessage = Record<string, unknown>;

/** A request's connection, as its handler sees it. */
export interface ControlConnection {
  /** Writes one line before the answer (progress of a request that lasts). */
  send(message: ControlMessage): void;
  /** Called once if the peer goes away before the answer. */
  onClose(listener: () => void): void;
}

export type ControlHandler = (request: ControlRequest, connection: ControlConnection) => Promise<ControlMessage>;

export interface ControlSocket {
  readonly path: string;
  /** Stops listening, ends every open connection and removes the socket file. */
  close(): Promise<void>;
}

export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET_FILE);
}

/** The socket's path; throws PassgateError 'daemon.socket-path-too-long' when it cannot be bound. */
export function checkedControlSocketPath(dataDir: string): string {
  const path = controlSocketPath(dataDir);
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new PassgateError(
      'daemon.socket-path-too-long',
      `control socket path ${path} is ${bytes} bytes; a unix socket path holds at most ${MAX_SOCKET_PATH_BYTES} bytes: use a shorter data directory`,
      { bytes, max: MAX_SOCKET_PATH_BYTES },
    );
  }
  return path;
}

/**
 * Listens on the data directory's control socket. The caller holds the instance lock
 * (instance-lock.ts), so a socket file found here was left by a daemon that died; it is replaced
 * unless something still answers on it (a daemon of an older release, which took no lock).
 */
export async function listenControlSocket(
  dataDir: string,
  handler: ControlHandler,
  probeMs: number,
): Promise<ControlSocket> {
  const path = checkedControlSocketPath(dataDir);
  if (existsAt(path)) {
    if (await answers(path, probeMs)) {
      throw new PassgateError('daemon.already-running', `another passgate daemon answers on ${path}`, { path });
    }
    unlinkSync(path);
  }
  const sockets = new Set<Socket>();
  const server = createServer((socket) => serve(socket, handler, sockets));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code ?? 'error';
      reject(new PassgateError('daemon.control-socket', `control socket ${path} could not be created (${reason})`));
    });
    // bind(2) runs within listen(): the umask applies to the file it creates, and nothing else
    // runs in this process meanwhile.
    const previous = process.umask(0o177);
    try {
      server.listen(path, () => resolve());
    } finally {
      process.umask(previous);
    }
  });
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function existsAt(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** True when something accepts a connection on the socket at `path`. */
function answers(path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const done = (alive: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(alive);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function serve(socket: Socket, handler: ControlHandler, sockets: Set<Socket>): void {
  sockets.add(socket);
  let buffer = '';
  let started = false;
  let answered = false;
  const closeListeners: Array<() => void> = [];
  const line = (message: ControlMessage) => `${JSON.stringify(message)}\n`;
  const answer = (message: ControlMessage) => {
    if (answered) return;
    answered = true;
    if (!socket.destroyed) socket.end(line(message));
  };
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    sockets.delete(socket);
    if (answered) return;
    answered = true;
    for (const listener of closeListeners.splice(0)) listener();
  });
  socket.on('data', (chunk: string) => {
    if (started) return; // one request per connection
    buffer += chunk;
    if (buffer.length > MAX_LINE) return socket.destroy();
    const newline = buffer.indexOf('\n');
    if (newline < 0) return;
    started = true;
    const request = parseControlRequest(buffer.slice(0, newline));
    buffer = '';
    if (!request) return answer({ error: 'bad request' });
    const connection: ControlConnection = {
      send: (message) => {
        if (!answered && !socket.destroyed) socket.write(line(message));
      },
      onClose: (listener) => void closeListeners.push(listener),
    };
    handler(request, connection).then(answer, (error: unknown) =>
      // Only a PassgateError's message is known to hold no personal data.
      answer({
        error: isPassgateError(error) ? error.message : 'failed',
        code: isPassgateError(error) ? error.code : null,
      }),
    );
  });
}

function parseControlRequest(text: string): ControlRequest | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { cmd, mode } = value as { cmd?: unknown; mode?: unknown };
  if (cmd === 'status' || cmd === 'selftest-display') return { cmd };
  if (cmd === 'bind-scan' && (BIND_MODES as readonly unknown[]).includes(mode)) return { cmd, mode: mode as BindMode };
  return null;
}

// ------------------------------------------------------------------ the CLI's side

/** A request whose connection stays open until the daemon answers (or either side gives up). */
export interface DaemonSession {
  /**
   * The daemon's answer (its last line), once it closes the connection. `connected` is false when
   * no daemon listens; `answer` is null when the connection ended without one.
   */
  readonly ended: Promise<{ connected: boolean; answer: ControlMessage | null }>;
  /** Closes the connection: the daemon drops the request (ends bind mode). */
  close(): void;
}

/** Sends `request`; `onLine` sees every line the daemon writes, the answer included. */
export function openDaemonSession(
  dataDir: string,
  request: ControlRequest,
  onLine: (message: ControlMessage) => void = () => undefined,
): DaemonSession {
  const path = controlSocketPath(dataDir);
  // No daemon can listen on a path too long to bind: say so without connecting to a truncated name.
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    return { ended: Promise.resolve({ connected: false, answer: null }), close: () => undefined };
  }
  const socket = createConnection(path);
  let connected = false;
  let last: ControlMessage | null = null;
  let buffer = '';
  const ended = new Promise<{ connected: boolean; answer: ControlMessage | null }>((resolve) => {
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE) return socket.destroy();
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          last = JSON.parse(text) as ControlMessage;
        } catch {
          return socket.destroy();
        }
        onLine(last);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => resolve({ connected, answer: last }));
  });
  return { ended, close: () => socket.destroy() };
}

/** The daemon's one-line answer, or null when no daemon listens (or it does not answer in time). */
export async function askDaemon(
  dataDir: string,
  request: ControlRequest,
  timeoutMs: number,
): Promise<ControlMessage | null> {
  let first: ControlMessage | null = null;
  const session = openDaemonSession(dataDir, request, (message) => {
    first ??= message;
    session.close();
  });
  const timer = setTimeout(() => session.close(), timeoutMs);
  await session.ended;
  clearTimeout(timer);
  return first;
}
