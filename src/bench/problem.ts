/**
 * What every head benchmark shares: the problem's arrays, its shape as the command lines write it
 * (`NxDxC`). Each contestant is checked against the float64 tape with `relativeError`
 * (src/check/tolerance.ts).
 */
import { OptionError } from '../tensor/errors.js';

/** One head problem at float32: X (n×d), W (c×d) and one label per row. */
export interface HeadArrays {
  n: number;
  d: number;
  c: number;
  x: Float32Array;
  w: Float32Array;
  labels: Int32Array;
}

/**
 * Parses a head shape written `NxDxC` (samples × features × classes, e.g. `64x128x1000`); throws
 * OptionError naming `flag` unless all three are positive integers.
 */
export function parseHeadShape(s: string, flag = '--shape'): [number, number, number] {
  const parts = s.trim().split('x').map((t) => (/^\d+$/.test(t) ? Number(t) : NaN));
  if (parts.length !== 3 || parts.some((v) => !Number.isSafeInteger(v) || v < 1)) throw new OptionError(`${flag} wants NxDxC with positive integers (e.g. 64x128x1000), got '${s}'`);
  return parts as [number, number, number];
}
