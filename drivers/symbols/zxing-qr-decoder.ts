// QR and Micro QR through zxing-wasm (ZXing-C++ compiled to WebAssembly).
//
// The .wasm is read from node_modules (never fetched from a CDN, the library's default) and
// handed to the module factory as `wasmBinary`.
//
// Frames go in as an in-memory binary PGM: zxing-wasm's image-file path reads PGM straight as
// luminance, while its ImageData path wants RGBA that it then converts back to gray in JavaScript
// (the `rgba` input mode is kept for comparison).
//
// Options (DEFAULT_ZXING_QR_OPTIONS), measured on 200 degraded 640×480 frames of the bench corpus
// (full frame only, no small-code retry; the machine was shared, so times are ±20 %):
// - formats QR + Micro QR only;
// - input PGM 2.2 ms/frame vs RGBA 3.8 ms/frame, same results;
// - tryHarder on: no measurable difference in success or time for QR in zxing-cpp, kept on;
// - tryRotate off: QR finder patterns are found at any angle, 90° retries add nothing;
// - tryInvert off: +1.1 ms per frame and no gain (dark-mode screens are rare at gates; the
//   technician's `passgate decode` uses THOROUGH_ZXING_QR_OPTIONS, which turns it on);
// - tryDownscale off: +0.4 ms and no gain (codes at a gate are small in the frame);
// - binarizer LocalAverage: GlobalHistogram is 2.5× faster but reads 68 % instead of 86 %
//   (uneven lighting);
// - smallCodeRetry on (`npm run bench -- --only camera`, 240 frames, best of 3 runs, shared box
//   at load ~11): 82.5 % → 98.3 % read (95.8 % with the six variants before the γ ones);
//   7.2 ms mean / 17 ms p95 per 640×480 frame with a code; without a code 4.4 ms on a plain
//   frame, 58 ms on a cluttered one when every crop is tried at once (no FrameContext: the
//   camera's budget and the fruitless-patch skip below bound it there).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { prepareZXingModule, type ReaderOptions, type ReadResult, readBarcodes } from 'zxing-wasm/reader';
import { PassgateError } from '../../firmware/core/errors.js';
import type { Symbology } from '../input.js';
import type { Region } from './code-regions.js';
import type { GrayImage } from './gray-image.js';
import { grayToPgm, grayToRgba } from './pixels.js';
import { retryAttempts, retryImage } from './small-code-retry.js';
import type { DecodedSymbol, FrameContext, SymbolDecoder } from './symbol-decoder.js';

export interface ZxingQrOptions {
  tryHarder: boolean;
  tryRotate: boolean;
  tryInvert: boolean;
  tryDownscale: boolean;
  binarizer: 'LocalAverage' | 'GlobalHistogram' | 'FixedThreshold';
  /** How frames are handed to zxing-wasm: in-memory PGM (faster) or RGBA ImageData. */
  input: 'pgm' | 'rgba';
  /** Micro QR as well as QR (default true). */
  microQr: boolean;
  /** Symbols reported per frame at most. */
  maxSymbols: number;
  /**
   * When the whole frame gives nothing: look for small high-contrast patches, enlarge and
   * sharpen them, and decode again (see code-regions.ts and small-code-retry.ts).
   */
  smallCodeRetry: boolean;
}

export const DEFAULT_ZXING_QR_OPTIONS: Readonly<ZxingQrOptions> = {
  tryHarder: true,
  tryRotate: false,
  tryInvert: false,
  tryDownscale: false,
  binarizer: 'LocalAverage',
  input: 'pgm',
  microQr: true,
  maxSymbols: 4,
  smallCodeRetry: true,
};

/**
 * For `passgate decode` on photos and scans, where time matters less than finding the code:
 * every orientation retry, inverted codes, and downscaling for large photos.
 */
export const THOROUGH_ZXING_QR_OPTIONS: Readonly<ZxingQrOptions> = {
  ...DEFAULT_ZXING_QR_OPTIONS,
  tryRotate: true,
  tryInvert: true,
  tryDownscale: true,
  maxSymbols: 16,
};

/**
 * A camera scene whose busy patch the crops cannot read (a poster, text, a code too blurred)
 * would otherwise cost a frame budget on every frame: after FRUITLESS_ROUNDS whole rounds in a
 * row read nothing on a patch, it is left alone for FRUITLESS_SKIP_FRAMES frames (half a second
 * at 15 fps) while it stays within SAME_PATCH_PX (one block of the patch search), then tried
 * again. Two rounds, not one: the second round sees new frames, with their own noise.
 */
const FRUITLESS_ROUNDS = 2;
const FRUITLESS_SKIP_FRAMES = 7;
const SAME_PATCH_PX = 16;

function samePatch(a: Region, b: Region): boolean {
  const near = (u: number, v: number): boolean => Math.abs(u - v) <= SAME_PATCH_PX;
  return near(a.x, b.x) && near(a.y, b.y) && near(a.width, b.width) && near(a.height, b.height);
}

let loading: Promise<void> | undefined;

/** Path of the reader's .wasm inside node_modules. */
export function zxingReaderWasmPath(): string {
  return createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
}

/**
 * Instantiates zxing-wasm's reader module once per process from the local .wasm file.
 * Rejects with driver.open-failed if the file is missing or does not instantiate.
 */
export function loadZxingReader(): Promise<void> {
  loading ??= (async () => {
    try {
      const file = await readFile(zxingReaderWasmPath());
      const wasmBinary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
      await prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
    } catch (error) {
      loading = undefined;
      throw new PassgateError('driver.open-failed', 'zxing-wasm reader could not be loaded', {}, { cause: error });
    }
  })();
  return loading;
}

function symbologyOf(format: string): Symbology {
  if (format === 'QRCode' || format === 'QRCodeModel2' || format === 'QRCodeModel1') return 'qr';
  if (format === 'MicroQRCode') return 'micro-qr';
  return 'unknown';
}

/** ImageData is a DOM type (absent from Node's lib); zxing-wasm only reads data/width/height. */
function rgbaInput(image: GrayImage): Parameters<typeof readBarcodes>[0] {
  const imageData = { data: grayToRgba(image), width: image.width, height: image.height, colorSpace: 'srgb' };
  return imageData as unknown as Parameters<typeof readBarcodes>[0];
}

export class ZxingQrDecoder implements SymbolDecoder {
  readonly name = 'zxing-qr';
  readonly options: Readonly<ZxingQrOptions>;
  private readonly readerOptions: ReaderOptions;
  /**
   * Where the small-code retry goes on with the next frame when a frame's budget ran out before
   * every crop was tried (see decode); 0 after a code was read or every crop was tried, and not
   * used when the frame's first patch is somewhere else (another scene).
   */
  private resumeAt = 0;
  /** The first patch of the frame the round stopped on: another scene starts a round afresh. */
  private resumePatch?: Region;
  /**
   * On a camera (a context was given): the patch the last whole round of crops was cut around and
   * read nothing on, how many rounds in a row did so there, and how many more frames skip the
   * retries while the first patch stays there.
   */
  private fruitless?: { region: Region; rounds: number; framesLeft: number };

  private constructor(options: ZxingQrOptions) {
    this.options = options;
    this.readerOptions = {
      formats: options.microQr ? ['QRCode', 'MicroQRCode'] : ['QRCode'],
      tryHarder: options.tryHarder,
      tryRotate: options.tryRotate,
      tryInvert: options.tryInvert,
      tryDownscale: options.tryDownscale,
      binarizer: options.binarizer,
      maxNumberOfSymbols: options.maxSymbols,
      textMode: 'Plain',
      returnErrors: false,
    };
  }

  /** Loads the wasm module (once per process) and returns a decoder. */
  static async create(options: Partial<ZxingQrOptions> = {}): Promise<ZxingQrDecoder> {
    await loadZxingReader();
    return new ZxingQrDecoder({ ...DEFAULT_ZXING_QR_OPTIONS, ...options });
  }

  /**
   * The whole frame first; when it gives nothing, the small-code retry's crops, unless a decoder
   * before this one already read a code in this frame (`context.found`). With a context whose
   * budget runs out, the crops stop after the one in hand (at least one is tried per frame) and the
   * next frame starts where this one stopped: a code held up to the camera is on many frames, so
   * the crops of one round are spread over a few of them instead of making one frame late.
   */
  async decode(image: GrayImage, context?: FrameContext): Promise<DecodedSymbol[]> {
    const { width, height } = image;
    if (
      !Number.isInteger(width) ||
      !Number.isInteger(height) ||
      width < 0 ||
      height < 0 ||
      image.data.length < width * height
    ) {
      throw new PassgateError('decode.image-unreadable', 'frame size does not match its pixel buffer', {
        width,
        height,
      });
    }
    if (width === 0 || height === 0) return [];
    const symbols = await this.read(image);
    if (symbols.length > 0) this.resumeAt = 0;
    if (symbols.length > 0 || !this.options.smallCodeRetry || (context?.found.length ?? 0) > 0) return symbols;
    const attempts = retryAttempts(image);
    if (context !== undefined && this.skipsFruitless(attempts[0]?.region)) return [];
    const patch = attempts[0]?.region;
    const sameScene = patch !== undefined && this.resumePatch !== undefined && samePatch(patch, this.resumePatch);
    const first = sameScene && this.resumeAt < attempts.length ? this.resumeAt : 0;
    for (let i = first; i < attempts.length; i++) {
      if (i > first && context?.expired()) {
        this.resumeAt = i;
        this.resumePatch = patch;
        return [];
      }
      const found = await this.read(retryImage(image, attempts[i]), attempts[i].variant.binarizer);
      if (found.length > 0) {
        this.resumeAt = 0;
        return found;
      }
    }
    this.resumeAt = 0;
    if (context !== undefined && attempts.length > 0) {
      const region = attempts[0].region;
      const rounds =
        this.fruitless !== undefined && samePatch(region, this.fruitless.region) ? this.fruitless.rounds + 1 : 1;
      this.fruitless = { region, rounds, framesLeft: rounds >= FRUITLESS_ROUNDS ? FRUITLESS_SKIP_FRAMES : 0 };
    }
    return [];
  }

  /** True while the frame's first patch is where a whole round just read nothing (see fruitless). */
  private skipsFruitless(region: Region | undefined): boolean {
    const last = this.fruitless;
    if (last === undefined || region === undefined) return false;
    if (!samePatch(region, last.region)) {
      this.fruitless = undefined;
      return false;
    }
    if (last.framesLeft <= 0) return false;
    last.framesLeft -= 1;
    if (last.framesLeft === 0) last.rounds = 0;
    return true;
  }

  private async read(image: GrayImage, binarizer = this.options.binarizer): Promise<DecodedSymbol[]> {
    let results: ReadResult[];
    const options = binarizer === this.options.binarizer ? this.readerOptions : { ...this.readerOptions, binarizer };
    try {
      results =
        this.options.input === 'pgm'
          ? await readBarcodes(grayToPgm(image), options)
          : await readBarcodes(rgbaInput(image), options);
    } catch (error) {
      throw new PassgateError(
        'decode.image-unreadable',
        'zxing-wasm could not read the frame',
        {
          width: image.width,
          height: image.height,
        },
        { cause: error },
      );
    }
    const symbols: DecodedSymbol[] = [];
    for (const r of results) {
      if (!r.isValid) continue;
      symbols.push({ symbology: symbologyOf(r.format), text: r.text, bytes: new Uint8Array(r.bytes) });
    }
    return symbols;
  }
}
