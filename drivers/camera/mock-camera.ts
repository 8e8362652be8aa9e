// A camera without hardware: frames are handed in with show(); they go through the same
// CameraDriver (decoders, frame budget, repeat window, reconnect) as the real camera's frames.
import type { GrayImage } from '../symbols/gray-image.js';
import type { SymbolDecoder } from '../symbols/symbol-decoder.js';
import { CameraDriver, type CameraTimeouts } from './camera-driver.js';
import { MockFrameSource } from './frame-source.js';

export interface MockCameraOptions {
  name?: string;
  decoders: readonly SymbolDecoder[];
  timeouts: CameraTimeouts;
  now?: () => number;
}

/** The camera's device, in memory: whether it is plugged in, and the source now delivering. */
interface MockCameraDevice {
  present: boolean;
  source: MockFrameSource | undefined;
}

export class MockCamera extends CameraDriver {
  private readonly mockDevice: MockCameraDevice;

  constructor(options: MockCameraOptions) {
    const mockDevice: MockCameraDevice = { present: true, source: undefined };
    super({
      name: options.name ?? 'mock-camera',
      decoders: options.decoders,
      timeouts: options.timeouts,
      now: options.now,
      isPresent: async () => mockDevice.present,
      source: () => {
        mockDevice.source = new MockFrameSource();
        return mockDevice.source;
      },
    });
    this.mockDevice = mockDevice;
  }

  /** Shows one frame to the camera; resolves once it has been decoded (or skipped). Ignored
   * while the camera is not open. */
  async show(frame: GrayImage): Promise<void> {
    if (this.status().state !== 'open') return;
    this.mockDevice.source?.emit(frame);
    await this.idle();
  }

  /** The camera disappears: its source ends and its device node is gone until replug(). */
  unplug(): void {
    this.mockDevice.present = false;
    this.mockDevice.source?.end();
  }

  replug(): void {
    this.mockDevice.present = true;
  }
}
