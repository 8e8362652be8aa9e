// A gate's two serial devices on socat pty pairs, as the lab makes them (scripts/lab/pty-pair.ts),
// but unpluggable the hard way: socat is SIGKILLed (the line vanishes mid-whatever) and the
// device link removed, as udev removes a node; plugging in again starts a new socat on the same
// link paths. The scanner writes code + CR; the reader is the lab's simulated GA 467 reader.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { IdCardIdentity } from '../../firmware/core/id-number.js';
import type { ClosableDeviceEnd } from '../lab/device-end.js';
import { SimulatedSamReader } from '../lab/simulated-sam-reader.js';
import { track } from './child-processes.js';
import { openPtyEnd } from './pty-end.js';
import { bin } from './system-commands.js';

class PtyLine {
  readonly devicePath: string;
  readonly peerPath: string;
  private socat: ChildProcess | null = null;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.devicePath = join(dir, 'device');
    this.peerPath = join(dir, 'peer');
  }

  get plugged(): boolean {
    return this.socat !== null;
  }

  get socatPid(): number | null {
    return this.socat?.pid ?? null;
  }

  async plug(): Promise<void> {
    const child = track(
      spawn(bin('socat'), [`pty,raw,echo=0,link=${this.devicePath}`, `pty,raw,echo=0,link=${this.peerPath}`], {
        stdio: 'ignore',
        detached: true,
      }),
    );
    const deadline = Date.now() + 10_000;
    while (!(existsSync(this.devicePath) && existsSync(this.peerPath))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error('socat did not create the pty pair');
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    this.socat = child;
  }

  /** Pulls the plug: socat dies at once, and the device node goes away. */
  async unplug(): Promise<void> {
    const child = this.socat;
    this.socat = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await gone;
    }
    rmSync(this.devicePath, { force: true });
    rmSync(this.peerPath, { force: true });
  }

  /** Bytes from the device side that no protocol asked for, through a second handle on the peer. */
  writeRaw(bytes: Uint8Array): void {
    if (!this.plugged) return;
    const fd = openSync(this.peerPath, constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
    try {
      writeSync(fd, bytes);
    } catch {
      // a full pty buffer drops the rest, as a UART overrun would
    } finally {
      closeSync(fd);
    }
  }
}

/** A serial scanner module: each read is the code's text and a CR. */
export class SimulatedScannerLine {
  private readonly line: PtyLine;
  private end: ClosableDeviceEnd | null = null;

  constructor(dir: string) {
    this.line = new PtyLine(dir);
  }

  get devicePath(): string {
    return this.line.devicePath;
  }

  get socatPid(): number | null {
    return this.line.socatPid;
  }

  get plugged(): boolean {
    return this.end !== null;
  }

  async plug(): Promise<void> {
    await this.line.plug();
    this.end = openPtyEnd(this.line.peerPath);
  }

  async unplug(): Promise<void> {
    const end = this.end;
    this.end = null;
    await this.line.unplug();
    await end?.close().catch(() => undefined);
  }

  scan(text: string): void {
    this.end?.write(`${text}\r`);
  }

  garbage(bytes: Uint8Array): void {
    this.end?.write(bytes);
  }
}

/** The GA 467 reader simulator on its own pty pair. */
export class SimulatedReaderLine {
  private readonly line: PtyLine;
  readonly reader: SimulatedSamReader;
  private open = false;
  private end: ClosableDeviceEnd | null = null;

  constructor(dir: string) {
    this.line = new PtyLine(dir);
    this.reader = new SimulatedSamReader();
  }

  get devicePath(): string {
    return this.line.devicePath;
  }

  get socatPid(): number | null {
    return this.line.socatPid;
  }

  get plugged(): boolean {
    return this.open;
  }

  async plug(): Promise<void> {
    await this.line.plug();
    this.end = openPtyEnd(this.line.peerPath);
    this.reader.attach(this.end);
    this.open = true;
  }

  async unplug(): Promise<void> {
    this.open = false;
    await this.line.unplug();
    await this.reader.close().catch(() => undefined); // detaches
    await this.end?.close();
    this.end = null;
  }

  present(card: IdCardIdentity): void {
    this.reader.present(card);
  }

  remove(): void {
    this.reader.remove();
    // The simulator keeps every command it received; the soak only needs the ones from now on.
    this.reader.received.splice(0, this.reader.received.length);
  }

  /**
   * Whether the host has polled (find card, 20 01) since the card was taken off: only then has it
   * seen the reader empty, and will it read the next card put down (a card is read once while it
   * stays).
   */
  polledSinceRemoval(): boolean {
    return this.reader.received.some((c) => c.cmd === 0x20 && c.para === 0x01);
  }

  /** Noise on the line: garbled replies for a while, and bytes no command asked for. */
  garbage(bytes: Uint8Array, garbledReplies: number): void {
    this.reader.inject('garbage', garbledReplies);
    this.line.writeRaw(bytes);
  }
}
