// A fake service manager's notification socket: an AF_UNIX datagram socket (which Node cannot
// open) bound by a python3 child, reporting each datagram as a JSON line. It closes any file
// descriptor a datagram carries, as systemd does, so `systemd-notify`'s barrier completes.
// Given the daemon's log file, it also notes whether the `ready` line was in the file when each
// datagram arrived: an order no two pipes read by one test process could prove.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { CHILD_START_MS } from './cli.js';
import { until } from './polling.js';

const LISTENER = `
import array, json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
log_file = sys.argv[2] if len(sys.argv) > 2 else None

def ready_logged():
    if not log_file:
        return False
    with open(log_file, encoding="utf-8", errors="replace") as f:
        return '"event":"ready"' in f.read()

print(json.dumps({"bound": True}), flush=True)
while True:
    data, ancillary, _flags, _addr = s.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    message = data.decode("utf-8", "replace")
    print(json.dumps({"message": message, "readyLogged": ready_logged()}), flush=True)
`;

export interface NotifyListener {
  /** The value for $NOTIFY_SOCKET. */
  path: string;
  /** Every datagram so far, in order of arrival. */
  messages: string[];
  /** For each datagram: whether the log file held the `ready` line when it arrived. */
  readyLoggedAt: boolean[];
  close(): Promise<void>;
}

/** Binds `dir`/notify.sock; resolves once the socket is there. */
export async function startNotifyListener(dir: string, logFile?: string): Promise<NotifyListener> {
  const path = join(dir, 'notify.sock');
  const child: ChildProcessWithoutNullStreams = spawn('python3', ['-c', LISTENER, path, ...(logFile ? [logFile] : [])]);
  const messages: string[] = [];
  const readyLoggedAt: boolean[] = [];
  let bound = false;
  let pending = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    pending += d;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = JSON.parse(pending.slice(0, nl)) as { bound?: true; message?: string; readyLogged?: boolean };
      pending = pending.slice(nl + 1);
      if (line.bound) bound = true;
      if (line.message !== undefined) {
        messages.push(line.message);
        readyLoggedAt.push(line.readyLogged === true);
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await until(() => bound || child.exitCode !== null, CHILD_START_MS, 'the notify socket');
  if (!bound) throw new Error(`python3 did not bind ${path}: ${stderr}`);
  return {
    path,
    messages,
    readyLoggedAt,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
