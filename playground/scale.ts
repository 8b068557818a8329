/**
 * The pixel arithmetic of the playground's plots: a linear scale, a polyline as SVG path data, and
 * round tick values. No DOM, so test/playground/scale.test.ts runs it in Node.
 */

/** A plot area: its size in pixels and the data ranges its edges show. */
export interface Frame {
  /** Width of the drawing area in pixels. */
  width: number;
  /** Height of the drawing area in pixels. */
  height: number;
  /** Data range [min, max] shown left to right. */
  x: readonly [number, number];
  /** Data range [min, max] shown bottom to top. */
  y: readonly [number, number];
}

/** Pixel coordinates of the data point (x, y) in `frame` (y grows downwards in SVG). */
export function toPixels(frame: Frame, x: number, y: number): [number, number] {
  const px = ((x - frame.x[0]) / (frame.x[1] - frame.x[0])) * frame.width;
  const py = frame.height - ((y - frame.y[0]) / (frame.y[1] - frame.y[0])) * frame.height;
  return [px, py];
}

/**
 * The SVG path data of the polyline through (xs[i], ys[i]), to 2 decimals. Non-finite points break
 * the line (a new `M` after them), so a curve never draws a spurious segment through a gap.
 */
export function linePath(frame: Frame, xs: ArrayLike<number>, ys: ArrayLike<number>): string {
  const parts: string[] = [];
  let pen = 'M';
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) {
      pen = 'M';
      continue;
    }
    const [px, py] = toPixels(frame, xs[i], ys[i]);
    parts.push(`${pen}${px.toFixed(2)},${py.toFixed(2)}`);
    pen = 'L';
  }
  return parts.join('');
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10ᵏ). */
export function ticks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Ticks at multiples of π/4 for an angle axis in radians. */
export function angleTicks(lo: number, hi: number): [number, string][] {
  const names = ['0', 'π/4', 'π/2', '3π/4', 'π'];
  return names.map((name, k): [number, string] => [(k * Math.PI) / 4, name]).filter(([v]) => v >= lo - 1e-9 && v <= hi + 1e-9);
}
