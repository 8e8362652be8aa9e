// An 8-bit grayscale frame, row-major, one byte per pixel (0 = black). The camera driver, the
// QR path (zxing-wasm) and the Grid Matrix decoder all take this shape.
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array; // length width * height
}

/** Whether the sizes are whole, non-negative numbers and the pixel buffer holds exactly that many bytes. */
export function isWellFormedGray(image: GrayImage): boolean {
  const { width, height, data } = image;
  return (
    Number.isInteger(width) && Number.isInteger(height) && width >= 0 && height >= 0 && data.length === width * height
  );
}
