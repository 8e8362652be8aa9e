// A camera without hardware: frames are handed in with show(); they go through the same
// CameraDriver (decoders, frame budget, repeat window, reconnect) as the real camera's frames.
import type { DriverStatus, InputDriver, InputEvent } from '../input.js';
import type { GrayImage } from '../symbols/gray-image.js';
import type { SymbolDecoder } from '../symbols/symbol-decoder.js';
import { CameraDriver, type CameraDiagnostics, type CameraTimeouts } from './camera-driver.js';
import { MockFrameSource } from './frame-source.js';

export interface MockCameraOptions {
  name?: string;
  decoders: readonly SymbolDecoder[];
  timeouts: CameraTimeouts;
  now?: () => number;
}

export class MockCamera implements InputDriver {
  readonly name: string;
  private readonly driver: CameraDriver;
  private source: MockFrameSource | undefined;
  private present = true;

  constructor(options: MockCameraOptions) {
    this.name = options.name ?? 'mock-camera';
    this.driver = new CameraDriver({
      name: this.name,
      decoders: options.decoders,
      timeouts: options.timeouts,
      now: options.now,
      isPresent: async () => this.present,
      source: () => {
        this.source = new MockFrameSource();
        return this.source;
      },
    });
  }

  /** Shows one frame to the camera; resolves once it has been decoded (or skipped). Ignored
   * while the camera is not open. */
  async show(frame: GrayImage): Promise<void> {
    if (this.driver.status().state !== 'open') return;
    this.source?.emit(frame);
    await this.driver.idle();
  }

  /** The camera disappears: its source ends and its device node is gone until replug(). */
  unplug(): void {
    this.present = false;
    this.source?.end();
  }

  replug(): void {
    this.present = true;
  }

  diagnostics(): CameraDiagnostics {
    return this.driver.diagnostics();
  }

  status(): DriverStatus {
    return this.driver.status();
  }

  open(): Promise<void> {
    return this.driver.open();
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  onEvent(listener: (event: InputEvent) => void): () => void {
    return this.driver.onEvent(listener);
  }

  onState(listener: (status: DriverStatus) => void): () => void {
    return this.driver.onState(listener);
  }
}
