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
// - smallCodeRetry on (`npm run bench -- --only camera`, 240 frames, best of 3 runs, load ~4):
//   82.5 % → 95.8 % read; 3.6 ms mean / 9.2 ms p95 per 640×480 frame with a code (full frame
//   only: 2.0 ms); without a code 2.7 ms on a plain frame, 7.8 ms on a cluttered one.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { prepareZXingModule, type ReaderOptions, type ReadResult, readBarcodes } from 'zxing-wasm/reader';
import { PassgateError } from '../../firmware/core/errors.js';
import type { Symbology } from '../input.js';
import { cropAndEnlarge, findCodeRegions, type Region, unsharpMask } from './code-regions.js';
import type { GrayImage } from './gray-image.js';
import { grayToPgm, grayToRgba } from './pixels.js';
import { sharpenAndEnlarge } from './sharpen.js';
import type { DecodedSymbol, SymbolDecoder } from './symbol-decoder.js';

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
   * sharpen them, and decode again (see code-regions.ts and RETRY_VARIANTS).
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
 * Small-code retry: each busy patch is tried in these ways, in this order, until one gives a
 * symbol: enlarged by `factor` and sharpened, either with a box unsharp mask after enlarging
 * (`box`: radius and amount in enlarged pixels; amount 0 = not sharpened) or with a strong
 * Gaussian unsharp mask before enlarging (`gaussian`: sharpen.ts, σ in frame pixels), then read
 * with the given binariser.
 * The box variants were chosen on 480 bench-corpus frames (2–6 px per module, blur σ ≤ 1.5): the
 * full frame alone read 84 %; 2× sharpened 94.6 %; adding 3× sharpened 95.8 %; adding 2× plain
 * 96.3 %. The Gaussian ones on the 15 of 80 hard frames (scripts/lab/hard-frames.ts, 2.2–3 px per
 * module, seed 777, not the bench's) that the box variants missed: of 96 combinations of factor,
 * σ, amount and binariser, greedily the three that together read 12 of the 15. The order is by
 * how many frames each variant reads alone (on those frames and 60 more of seed 779), so the
 * usual frame needs one or two tries; frames without a code stop at MAX_RETRY_DECODES.
 */
type RetryVariant =
  | { kind: 'box'; factor: number; radius: number; amount: number; binarizer: ZxingQrOptions['binarizer'] }
  | { kind: 'gaussian'; factor: number; sigma: number; amount: number; binarizer: ZxingQrOptions['binarizer'] };

const RETRY_VARIANTS: readonly RetryVariant[] = [
  { kind: 'gaussian', factor: 2, sigma: 1, amount: 6, binarizer: 'LocalAverage' },
  { kind: 'gaussian', factor: 3, sigma: 1, amount: 8, binarizer: 'GlobalHistogram' },
  { kind: 'box', factor: 3, radius: 5, amount: 2, binarizer: 'LocalAverage' },
  { kind: 'gaussian', factor: 2, sigma: 1.5, amount: 12, binarizer: 'LocalAverage' },
  { kind: 'box', factor: 2, radius: 4, amount: 2, binarizer: 'LocalAverage' },
  { kind: 'box', factor: 2, radius: 0, amount: 0, binarizer: 'LocalAverage' },
];

/** Crops decoded per frame at most: bounds the cost of frames with busy backgrounds and no code. */
const MAX_RETRY_DECODES = 6;
/** An enlarged crop larger than this is not tried (3× is meant for small patches only). */
const MAX_ENLARGED_PIXELS = 250_000;

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

function retryImage(image: GrayImage, region: Region, variant: RetryVariant): GrayImage {
  if (variant.kind === 'gaussian') return sharpenAndEnlarge(image, region, variant);
  const enlarged = cropAndEnlarge(image, region, variant.factor);
  return variant.amount > 0 ? unsharpMask(enlarged, variant.radius, variant.amount) : enlarged;
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

  async decode(image: GrayImage): Promise<DecodedSymbol[]> {
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
    if (symbols.length > 0 || !this.options.smallCodeRetry) return symbols;
    let attempts = 0;
    for (const region of findCodeRegions(image)) {
      for (const variant of RETRY_VARIANTS) {
        if (region.width * region.height * variant.factor ** 2 > MAX_ENLARGED_PIXELS) continue;
        if (attempts++ >= MAX_RETRY_DECODES) return [];
        const found = await this.read(retryImage(image, region, variant), variant.binarizer);
        if (found.length > 0) return found;
      }
    }
    return [];
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
