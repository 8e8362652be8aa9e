// A helper process that speaks one JSON object a line on stdin/stdout (the soak's portal and link
// emulator): requests carry an id and are answered {t:'r', id, ok, result|error}; every other
// line goes to `onLine`. stderr goes to a file.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { track } from './child-processes.js';
import { LineSplitter } from './daemon-log.js';

type Reply = { t: 'r'; id: number; ok: boolean; result?: unknown; error?: string };

export class LineChild {
  private readonly child: ChildProcess;
  private nextId = 1;
  private onceLines: Array<(line: Record<string, unknown>) => boolean> = [];
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    argv: string[],
    o: { stderrLog: string; env?: NodeJS.ProcessEnv; onLine: (line: Record<string, unknown>) => void },
  ) {
    const [cmd, ...args] = argv;
    this.child = track(
      spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: o.env ?? process.env, detached: true }),
    );
    const err = createWriteStream(o.stderrLog, { flags: 'a' });
    this.child.stderr!.pipe(err);
    const lines = new LineSplitter();
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      for (const text of lines.push(chunk)) {
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text);
        } catch {
          continue;
        }
        if (line.t === 'r') {
          const reply = line as Reply;
          const w = this.waiting.get(reply.id);
          this.waiting.delete(reply.id);
          if (reply.ok) w?.resolve(reply.result);
          else w?.reject(new Error(reply.error ?? 'failed'));
        } else {
          this.onceLines = this.onceLines.filter((waiter) => !waiter(line));
          o.onLine(line);
        }
      }
    });
    this.child.stdin!.on('error', () => undefined); // a killed child: its stdin is gone
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code, signal) => {
        for (const w of this.waiting.values()) w.reject(new Error('the helper process ended'));
        this.waiting.clear();
        resolve({ code, signal });
      }),
    );
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  send(message: object): void {
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  request<T = unknown>(message: object, timeoutMs = 10_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error('the helper process did not answer'));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send({ id, ...message });
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Resolves with the first line (after now) that has t === `t`, e.g. 'ready'; fails if the child ends or after `timeoutMs`. */
  waitFor(t: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the helper process sent no ${t} in time`)), timeoutMs);
      this.onceLines.push((line) => {
        if (line.t !== t) return false;
        clearTimeout(timer);
        resolve(line);
        return true;
      });
      void this.exited.then(() => reject(new Error(`the helper process ended before ${t}`)));
    });
  }
}
