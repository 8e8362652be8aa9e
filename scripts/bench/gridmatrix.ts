// Bench section `gridmatrix`: how often the Grid Matrix reader decodes zint symbols in synthetic
// 640×480 frames, and how long one frame takes with a symbol and without one.
//   gm_decode_success_clean      325 upright sharp symbols: v1–13 × ECL 1–5 × 5 content kinds
//   gm_decode_success_degraded   330 frames, each symbol under one distortion of the list
//                                (rotation, 2–8 px/module, perspective ≤ 15°, blur σ ≤ 1.5,
//                                noise + uneven lighting, correctable damage), 55 per distortion
//   gm_decode_success_combined   100 frames with all distortions at once (test/support degrade())
//   gm_decode_ms_640x480         median decode time of a frame holding one symbol (+ p95)
//   gm_decode_ms_640x480_empty   median decode time of a frame holding none (+ p95)
import type { GrayImage } from '../../drivers/symbols/gray-image.js';
import { GridMatrixDecoder } from '../../drivers/symbols/gridmatrix/decoder.js';
import { corpusEntry, matches } from '../lab/gridmatrix/corpus.js';
import { cleanFrame, DISTORTIONS, degradedFrame, distortedFrame, emptyFrame } from '../lab/gridmatrix/scenes.js';
import { mulberry32 } from '../lab/synth-image.js';
import { type BenchRow, type BenchSection, percentile, round } from './section.js';

const CLEAN_COUNT = 325;
const PER_DISTORTION = 55;
const COMBINED_COUNT = 100;
const EMPTY_COUNT = 100;

export const gridMatrixSection: BenchSection = {
  name: 'gridmatrix',
  async run(): Promise<BenchRow[]> {
    const decoder = new GridMatrixDecoder();
    const symbolTimes: number[] = [];
    const timed = (image: GrayImage, times: number[]) => {
      const t0 = performance.now();
      const out = decoder.decode(image);
      times.push(performance.now() - t0);
      return out;
    };
    // Warm the JIT so timings describe steady state, as on a running gate.
    const warmRng = mulberry32(1);
    for (let i = 0; i < 10; i++) decoder.decode(cleanFrame(corpusEntry(i, warmRng)));

    const rng = mulberry32(20261127);
    let clean = 0;
    for (let i = 0; i < CLEAN_COUNT; i++) {
      const entry = corpusEntry(i, rng);
      if (matches(entry, timed(cleanFrame(entry), symbolTimes)[0])) clean++;
    }

    const perDistortion = new Map<string, number>();
    let degraded = 0;
    for (let i = 0; i < PER_DISTORTION * DISTORTIONS.length; i++) {
      const d = i % DISTORTIONS.length;
      const distortion = DISTORTIONS[d];
      // 17 is coprime with the 13 versions, so every distortion meets every version and ECL.
      const entry = corpusEntry(Math.floor(i / DISTORTIONS.length) * 17 + d * 5, rng);
      const frame = distortedFrame(entry, distortion, rng);
      if (matches(entry, timed(frame.image, symbolTimes)[0])) {
        degraded++;
        perDistortion.set(distortion, (perDistortion.get(distortion) ?? 0) + 1);
      }
    }

    let combined = 0;
    for (let i = 0; i < COMBINED_COUNT; i++) {
      const entry = corpusEntry(i * 3 + 1, rng);
      if (matches(entry, timed(degradedFrame(entry, rng).image, symbolTimes)[0])) combined++;
    }

    const emptyTimes: number[] = [];
    let falsePositives = 0;
    for (let i = 0; i < EMPTY_COUNT; i++) falsePositives += timed(emptyFrame(rng), emptyTimes).length;

    const rows: BenchRow[] = [
      { key: 'gm_decode_success_clean', value: round(clean / CLEAN_COUNT), unit: 'ratio', target: '1.00' },
      {
        key: 'gm_decode_success_degraded',
        value: round(degraded / (PER_DISTORTION * DISTORTIONS.length)),
        unit: 'ratio',
        target: '>= 0.95',
      },
    ];
    for (const d of DISTORTIONS) {
      rows.push({
        key: `gm_decode_success_${d.replace('-', '_')}`,
        value: round((perDistortion.get(d) ?? 0) / PER_DISTORTION),
        unit: 'ratio',
      });
    }
    rows.push(
      { key: 'gm_decode_success_combined', value: round(combined / COMBINED_COUNT), unit: 'ratio' },
      { key: 'gm_decode_ms_640x480', value: round(percentile(symbolTimes, 50), 2), unit: 'ms', target: '<= 20' },
      { key: 'gm_decode_ms_640x480_p95', value: round(percentile(symbolTimes, 95), 2), unit: 'ms' },
      { key: 'gm_decode_ms_640x480_empty', value: round(percentile(emptyTimes, 50), 2), unit: 'ms', target: '<= 20' },
      { key: 'gm_decode_ms_640x480_empty_p95', value: round(percentile(emptyTimes, 95), 2), unit: 'ms' },
      { key: 'gm_false_positives_empty', value: falsePositives, unit: 'count', target: '0' },
    );
    return rows;
  },
};
