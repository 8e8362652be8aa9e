// Short videos for running the real ffmpeg capture path on a file instead of a V4L2 device.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GrayImage } from '../../../drivers/symbols/gray-image.js';
import { placeOnCanvas, renderMatrix } from '../../../scripts/lab/synth-image.js';
import { zintMatrix } from '../../../scripts/lab/zint.js';

export const VIDEO_WIDTH = 640;
export const VIDEO_HEIGHT = 480;

/** A 640×480 frame showing a QR code (or an empty desk when `code` is undefined). */
export function qrFrame(code: string | undefined, angleDeg = 0): GrayImage {
  const empty: GrayImage = { width: 1, height: 1, data: Uint8Array.from([220]) };
  const src =
    code === undefined
      ? empty
      : renderMatrix(zintMatrix('QRCODE', code), { moduleSize: 4, quietZone: 4, light: 220, dark: 20 });
  return placeOnCanvas(src, { width: VIDEO_WIDTH, height: VIDEO_HEIGHT, angleDeg, background: 220 });
}

/**
 * Encodes the frames (each shown `repeat` times) as a lossless FFV1 video in Matroska at `fps`
 * and returns its path.
 */
export function writeVideo(
  dir: string,
  name: string,
  scenes: { frame: GrayImage; repeat: number }[],
  fps: number,
): string {
  const raw = join(dir, `${name}.raw`);
  const parts: Uint8Array[] = [];
  for (const scene of scenes) for (let i = 0; i < scene.repeat; i++) parts.push(scene.frame.data);
  writeFileSync(raw, Buffer.concat(parts));
  const out = join(dir, `${name}.mkv`);
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'gray',
    '-s',
    `${VIDEO_WIDTH}x${VIDEO_HEIGHT}`,
    '-r',
    String(fps),
    '-i',
    raw,
    '-c:v',
    'ffv1',
    out,
  ]);
  return out;
}
