// Serial ports in memory for unit tests, on serialport's own mock binding: the code under test
// gets its ports from the same opener as the real ones (drivers/serial-port.ts), which wraps a
// mock port (it has no descriptor) in serialport's own stream; only the operating system is
// replaced. The real ports' SerialLine is tested on pty pairs (test/drivers/serial-line.test.ts).
//
// Each path has a MockSerialDevice: the device's end of the line. The test (or a simulator from
// scripts/lab) reads what the host wrote and writes the device's answers, and can unplug the
// device: the host's read fails as on a real unplug (serialport then closes the port with a
// DisconnectedError) and the path is gone until plugIn().

import type { SerialPortStream } from '@serialport/stream';
import { SerialPortMock } from 'serialport';
import { type SerialPorts, serialLineOpener } from '../../drivers/serial-port.js';
import type { OpenSerialPort } from '../../firmware/core/serial-port.js';
import type { DeviceEnd } from '../../scripts/lab/device-end.js';

// serialport's mock binding, and its types as serialport exports them (the binding packages'
// own typings do not resolve under this project's module settings).
const MockBinding = SerialPortMock.binding;
type MockPortBinding = Awaited<ReturnType<typeof MockBinding.open>>;
type OpenOptions = Parameters<typeof MockBinding.open>[0];
type Binding = ConstructorParameters<typeof SerialPortStream>[0]['binding'];
type PortBinding = Awaited<ReturnType<Binding['open']>>;

export class MockSerialPorts implements SerialPorts {
  readonly open: OpenSerialPort;
  private readonly devices = new Map<string, MockSerialDevice>();

  constructor() {
    const binding: Binding = {
      list: () => MockBinding.list(),
      open: (options) => this.openBinding(options),
    };
    this.open = serialLineOpener(async () => binding);
  }

  async exists(path: string): Promise<boolean> {
    return this.devices.get(path)?.present ?? false;
  }

  /** The device at `path`, plugged in (again, after an unplug). */
  plugIn(path: string): MockSerialDevice {
    let device = this.devices.get(path);
    if (device === undefined) {
      device = new MockSerialDevice();
      this.devices.set(path, device);
    }
    device.present = true;
    return device;
  }

  private async openBinding(options: OpenOptions): Promise<PortBinding> {
    const device = this.devices.get(options.path);
    if (device === undefined || !device.present) {
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${options.path}'`), { code: 'ENOENT' });
    }
    // A fresh record each time: the mock binding would otherwise remember a lock of an earlier test.
    MockBinding.createPort(options.path);
    return device.connect(await MockBinding.open(options));
  }
}

/** The device's end of one mock line. */
export class MockSerialDevice implements DeviceEnd {
  present = false;
  /** How often the host opened the port. */
  opens = 0;
  /** The settings of the host's last open. */
  openOptions: MockPortBinding['openOptions'] | undefined;
  private port: UnpluggablePort | undefined;
  private readonly fromHost: Buffer[] = [];
  private readonly listeners = new Set<(chunk: Buffer) => void>();

  /** Whether the host has the port open now. */
  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  /** Everything the host wrote, in order. */
  received(): Buffer {
    return Buffer.concat(this.fromHost);
  }

  /** Sends bytes to the host; dropped while the host does not have the port open. */
  write(bytes: string | Uint8Array): void {
    if (this.port?.isOpen === true) this.port.fromDevice(Buffer.from(bytes));
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Pulls the plug: the host's read fails with EIO and the path is gone until plugIn(). */
  unplug(): void {
    this.present = false;
    this.port?.unplug();
  }

  /** Called by MockSerialPorts when the host opens the port. */
  connect(inner: MockPortBinding): UnpluggablePort {
    this.opens += 1;
    this.openOptions = inner.openOptions;
    this.port = new UnpluggablePort(inner, (bytes) => {
      this.fromHost.push(bytes);
      for (const listener of this.listeners) listener(bytes);
    });
    return this.port;
  }
}

/** serialport's mock port binding, plus an unplug and a tap on what the host writes. */
class UnpluggablePort implements PortBinding {
  private readonly inner: MockPortBinding;
  private readonly onWrite: (bytes: Buffer) => void;
  private readonly gone: Promise<never>;
  private pullPlug!: (error: Error) => void;

  constructor(inner: MockPortBinding, onWrite: (bytes: Buffer) => void) {
    this.inner = inner;
    this.onWrite = onWrite;
    this.gone = new Promise<never>((_, reject) => {
      this.pullPlug = reject;
    });
    this.gone.catch(() => undefined);
  }

  get openOptions(): MockPortBinding['openOptions'] {
    return this.inner.openOptions;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  fromDevice(bytes: Buffer): void {
    this.inner.emitData(bytes);
  }

  unplug(): void {
    this.pullPlug(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
  }

  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    return Promise.race([this.inner.read(buffer, offset, length), this.gone]);
  }

  async write(buffer: Buffer): Promise<void> {
    await Promise.race([this.inner.write(buffer), this.gone]);
    this.onWrite(Buffer.from(buffer));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  update(options: Parameters<PortBinding['update']>[0]): Promise<void> {
    return this.inner.update(options);
  }

  set(options: Parameters<PortBinding['set']>[0]): Promise<void> {
    return this.inner.set(options);
  }

  get(): ReturnType<MockPortBinding['get']> {
    return this.inner.get();
  }

  getBaudRate(): Promise<{ baudRate: number }> {
    return this.inner.getBaudRate();
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  drain(): Promise<void> {
    return this.inner.drain();
  }
}
