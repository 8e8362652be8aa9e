// Public surface of the Grid Matrix reader. Each stage is usable (and tested) on its own.
export { GridMatrixDecoder } from './decoder.js';
export {
  readGridMatrix,
  classifyFrame,
  findQuads,
  decodeQuad,
  DEFAULT_READ_OPTIONS,
  type ReadOptions,
} from './read-image.js';
export { decodeMatrix, type MatrixDecodeResult } from './decode-matrix.js';
export { decodeBitStream, type GridMatrixContent, type StructuredAppend } from './bitstream.js';
export {
  classifyPixels,
  integralImage,
  PIXEL_DARK,
  PIXEL_LIGHT,
  PIXEL_DARK_SHARP,
  PIXEL_LIGHT_SHARP,
} from './binarize.js';
export { findCandidates } from './locate.js';
export { guessVersions, refineFit, sampleMatrix } from './grid.js';
export { rsCorrect } from './reed-solomon.js';
export type { ModuleMatrix } from './geometry.js';
