// An 8-bit grayscale frame, row-major, one byte per pixel (0 = black). The camera driver, the
// QR path (zxing-wasm) and the Grid Matrix decoder all take this shape.
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array; // length width * height
}
