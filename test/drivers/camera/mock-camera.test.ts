import { beforeAll, describe, expect, it } from 'vitest';
import { MockCamera } from '../../../drivers/camera/mock-camera.js';
import type { DriverStatus, InputEvent } from '../../../drivers/input.js';
import type { SymbolDecoder } from '../../../drivers/symbols/symbol-decoder.js';
import { ZxingQrDecoder } from '../../../drivers/symbols/zxing-qr-decoder.js';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { placeOnCanvas, renderMatrix } from '../../../scripts/lab/synth-image.js';
import { zintMatrix } from '../../../scripts/lab/zint.js';
import { timerTurns, until } from '../../support/polling.js';

let qr: ZxingQrDecoder;
beforeAll(async () => {
  qr = await ZxingQrDecoder.create();
});

function microFrame(code: string) {
  return placeOnCanvas(renderMatrix(zintMatrix('MICROQR', code), { moduleSize: 5, quietZone: 2 }), {
    width: 320,
    height: 240,
    angleDeg: 45,
  });
}

const timeouts = timeoutTable({
  driverReopenInitialMs: 20,
  driverPathPollMs: 20,
  cameraRepeatWindowMs: 1000,
  // Every decoder must get to each frame shown: the frame budget (wall-clock ms, which a loaded
  // machine stretches) is decode-pipeline.test.ts's subject, on fake time.
  cameraFrameBudgetMs: 60_000,
});

describe('MockCamera', () => {
  it('decodes shown frames through the camera pipeline, once per repeat window', async () => {
    let now = 0;
    const camera = new MockCamera({ decoders: [qr], timeouts, now: () => now });
    const events: InputEvent[] = [];
    camera.onEvent((e) => events.push(e));
    await camera.open();
    const frame = microFrame('24680');
    for (let i = 0; i < 5; i++) {
      await camera.show(frame);
      now += 300;
    }
    expect(events).toEqual([
      { kind: 'code', source: 'mock-camera', text: '24680', symbology: 'micro-qr', arrivedAt: expect.any(Number) },
      { kind: 'code', source: 'mock-camera', text: '24680', symbology: 'micro-qr', arrivedAt: expect.any(Number) },
    ]);
    expect(camera.diagnostics()).toMatchObject({ framesDecoded: 5, symbolsEmitted: 2, repeatsSuppressed: 3 });
    await camera.close();
  });

  it('runs every decoder of the list on a frame and emits what each finds', async () => {
    const fixed: SymbolDecoder = { name: 'gm-stub', decode: () => [{ symbology: 'grid-matrix', text: 'GM-SYNTH' }] };
    const camera = new MockCamera({ decoders: [qr, fixed], timeouts });
    const events: InputEvent[] = [];
    camera.onEvent((e) => events.push(e));
    await camera.open();
    await camera.show(microFrame('13579'));
    expect(events.map((e) => (e.kind === 'code' ? [e.symbology, e.text] : e.kind))).toEqual([
      ['micro-qr', '13579'],
      ['grid-matrix', 'GM-SYNTH'],
    ]);
    await camera.close();
  });

  it('goes to reconnecting when unplugged and back to open when replugged', async () => {
    const camera = new MockCamera({ decoders: [qr], timeouts });
    const states: DriverStatus[] = [];
    const events: InputEvent[] = [];
    camera.onState((s) => states.push(s));
    camera.onEvent((e) => events.push(e));
    await camera.open();
    camera.unplug();
    expect(camera.status()).toEqual({ name: 'mock-camera', state: 'reconnecting', lastError: 'driver.disconnected' });
    await camera.show(microFrame('11111'));
    expect(events).toEqual([]);
    // Unplugged, it stays so however often it looks for its device (every driverPathPollMs).
    await timerTurns(timeouts.driverPathPollMs, 5);
    expect(camera.status().state).toBe('reconnecting');
    camera.replug();
    await until(() => camera.status().state === 'open', undefined, 'the camera to reopen');
    expect(camera.status()).toEqual({ name: 'mock-camera', state: 'open' });
    await camera.show(microFrame('22222'));
    expect(events.map((e) => (e.kind === 'code' ? e.text : e.kind))).toEqual(['22222']);
    expect(states.map((s) => s.state)).toEqual(['opening', 'open', 'reconnecting', 'open']);
    await camera.close();
    expect(camera.status().state).toBe('closed');
  });
});
