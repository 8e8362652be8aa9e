// A simulated scanner that reads one code per line from a stream (stdin in the demo, a pipe in
// tests). Lines are mapped by an optional function first, so the demo can turn a keyword like
// `green` into a real pass code. Overlong lines are discarded, never buffered without bound.
import type { Readable } from 'node:stream';
import { type DriverState, type DriverStatus, driverStatus } from '../../drivers/input.js';
import { InputDriverBase } from '../../drivers/input-driver-base.js';

export interface LineScannerOptions {
  name?: string;
  input: Readable;
  maxLineLength?: number;
  /** Maps a typed line to the code to scan; null drops it (e.g. a demo command). */
  mapLine?: (line: string) => string | null;
}

export class LineScanner extends InputDriverBase {
  private state: DriverState = 'closed';
  private buffer = '';
  /** When the first character of the line in `buffer` arrived (monotonic ms). */
  private lineStartedAt = 0;
  private readonly onData = (chunk: Buffer | string) => this.push(chunk.toString());
  private readonly onEnd = () => this.setState('closed');

  constructor(private readonly o: LineScannerOptions) {
    super(o.name ?? 'line-scanner');
  }

  status(): DriverStatus {
    return driverStatus(this.name, this.state, undefined);
  }

  async open(): Promise<void> {
    this.o.input.on('data', this.onData);
    this.o.input.on('end', this.onEnd);
    this.setState('open');
  }

  async close(): Promise<void> {
    this.o.input.off('data', this.onData);
    this.o.input.off('end', this.onEnd);
    this.setState('closed');
  }

  private push(text: string): void {
    const at = performance.now();
    if (this.buffer.length === 0) this.lineStartedAt = at;
    this.buffer += text;
    const max = this.o.maxLineLength ?? 4096;
    for (;;) {
      const newline = this.buffer.indexOf('\n');
      if (newline < 0) break;
      const line = this.buffer.slice(0, newline).replace(/\r$/, '').trim();
      this.buffer = this.buffer.slice(newline + 1);
      const arrivedAt = this.lineStartedAt;
      this.lineStartedAt = at; // the next line began in this chunk
      if (line.length === 0) continue;
      if (line.length > max) {
        this.emitEvent({ kind: 'read-error', source: this.name, code: 'driver.overlong', arrivedAt });
        continue;
      }
      const code = this.o.mapLine ? this.o.mapLine(line) : line;
      if (code !== null)
        this.emitEvent({ kind: 'code', source: this.name, text: code, symbology: 'unknown', arrivedAt });
    }
    if (this.buffer.length > max) {
      this.buffer = '';
      this.emitEvent({ kind: 'read-error', source: this.name, code: 'driver.overlong', arrivedAt: this.lineStartedAt });
    }
  }

  private setState(state: DriverState): void {
    this.state = state;
    this.emitStatus();
  }
}
