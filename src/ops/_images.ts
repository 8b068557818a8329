/**
 * Image helpers shared by the ops on channels-last image rows (conv2d, maxPool2d): geometry
 * checks that throw typed errors naming the op, and the gather index of a sliding window, cached
 * per geometry because a training loop asks for the same one at every step (building it is
 * O(N·H·W·k²) integer work, about what the gather itself costs).
 */
import { OptionError, ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';

/** Throws an OptionError naming `op` unless height and width are integers ≥ 1. */
export function expectImageSize(op: string, height: number, width: number): void {
  for (const [name, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new OptionError(`${op}: ${name} must be an integer ≥ 1, got ${String(v)}`);
  }
}

/** C = columns of x / (H·W); a ShapeError naming `op` unless that is an integer ≥ 1. */
export function imageChannels(op: string, x: Tensor, height: number, width: number): number {
  const c = x.shape[1] / (height * width);
  if (!Number.isInteger(c) || c < 1) {
    throw new ShapeError(`${op}: x is ${formatShape(x.shape)}, not [N, H·W·C] rows of ${height}×${width} images (columns must be a multiple ≥ 1 of ${height * width})`);
  }
  return c;
}

const cache = new Map<string, Int32Array>();
const CACHED = 8;

/**
 * The gather index of a k×k window at every point (i, j) of an outH×outW grid over N images of
 * height×width pixels: the window's tap (u, v) reads pixel (stride·i + u − pad, stride·j + v − pad),
 * −1 outside the image (zero padding). Without `channels`, entry ((n·outH + i)·outW + j)·k² + u·k + v is that pixel's row
 * (n·height + y)·width + x in [N·H·W, C] (a whole pixel, all channels: im2col). With `channels` C,
 * entry (((n·outH + i)·outW + j)·C + c)·k² + u·k + v is the element (pixel row)·C + c in
 * [N·H·W·C, 1], so that a window's k² taps of one channel are one row of the gathered matrix.
 */
export function windowIndex(
  n: number, height: number, width: number, outH: number, outW: number, kernel: number,
  stride: number, pad: number, channels = 0,
): Int32Array {
  const key = `${n},${height},${width},${outH},${outW},${kernel},${stride},${pad},${channels}`;
  const at = (i: number, u: number) => stride * i + u - pad;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const kk = kernel * kernel;
  const c = Math.max(channels, 1);
  const index = new Int32Array(n * outH * outW * c * kk);
  let e = 0;
  for (let img = 0; img < n; img++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        for (let ch = 0; ch < c; ch++) {
          for (let u = 0; u < kernel; u++) {
            const y = at(i, u);
            for (let v = 0; v < kernel; v++) {
              const x = at(j, v);
              const inside = y >= 0 && y < height && x >= 0 && x < width;
              const pixel = (img * height + y) * width + x;
              index[e++] = !inside ? -1 : channels > 0 ? pixel * channels + ch : pixel;
            }
          }
        }
      }
    }
  }
  if (cache.size >= CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(key, index);
  return index;
}
