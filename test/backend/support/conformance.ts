/**
 * Helpers of the backend conformance suite: which gpu.js modes run here, moving samples onto a
 * backend with float32-rounded values (so that the reference and the backend see the same
 * numbers), and the float32 comparison.
 */
import { expect } from 'vitest';
import type { Backend } from '../../../src/backend/backend.js';
import { cpu } from '../../../src/backend/cpu.js';
import { relativeError } from '../../../src/check/tolerance.js';
import { GpujsBackend } from '../../../src/backend/gpujs/gpujs-backend.js';
import type { GpujsMode } from '../../../src/backend/gpujs/runtime.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import type { PrimitiveResult } from './primitive-checks.js';

/** The gpu.js modes exercised on every run (both run on any CPU in Node). */
export const CI_MODES: readonly GpujsMode[] = ['cpu', 'webasm'];

const backends = new Map<GpujsMode, GpujsBackend>();

/** One backend per mode for the whole suite (kernels compile once per mode). */
export function gpujsBackend(mode: GpujsMode): GpujsBackend {
  let b = backends.get(mode);
  if (b === undefined) backends.set(mode, (b = new GpujsBackend(mode)));
  return b;
}

/** A float64 CPU tensor and the same float32-rounded values on `backend`. */
export function pair(backend: Backend, data: readonly number[], shape: readonly number[]): { ref: Tensor; dev: Tensor } {
  const rounded = data.map(Math.fround);
  return { ref: cpu.fromArray(rounded, shape, 'float64'), dev: backend.fromArray(rounded, shape, 'float32') };
}

/** `value` with every CPU tensor in it (an attribute such as a mask) moved onto `backend`. */
export function onBackend<T>(backend: Backend, value: T): T {
  if (value instanceof Tensor) return backend.fromArray(value.toTypedArray(), value.shape, 'float32') as T;
  if (Array.isArray(value) || value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, onBackend(backend, v)])) as T;
}

/**
 * Float32 agreement, element by element, by the one rule (src/check/tolerance.ts):
 * relativeError(got, want, 1 + scale) ≤ tol, i.e. |got − want| ≤ tol·max(|want|, 1 + scale). The
 * floor is the operands' magnitude: the samples are of order 1, and `scale` is the magnitude of
 * the terms that were summed into the result (a float32 sum of large terms keeps their rounding,
 * u₃₂·scale, however small the sum). This is at most 2× tighter than the former
 * tol·(1 + |want| + scale), never looser; tol (1e-4 ≈ 1700 u₃₂) stays far above it.
 */
export function expectClose(got: Tensor, want: Tensor, what: string, tolerance: Tolerance = {}): void {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  expectValuesClose(got.toTypedArray(), want.toTypedArray(), what, got.backend.name, tolerance);
}

/** How close: relative tolerance `tol` (default 1e-4) above the floor 1 + `scale` (default 0). */
export interface Tolerance {
  /** Relative tolerance. */
  tol?: number;
  /** The magnitude of the terms summed into a result. */
  scale?: number;
}

/** `expectClose` on flat values (`on`: the backend that computed `got`, for the message). */
export function expectValuesClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, on: string, { tol = 1e-4, scale = 0 }: Tolerance = {}): void {
  expect(got.length, `${what}: number of values`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const error = relativeError(got[i], want[i], 1 + scale);
    if (!(error <= tol)) {
      throw new Error(`${what}: element ${i} is ${got[i]} on ${on} but ${want[i]} on the reference (relative error ${error.toExponential(2)} above the floor ${1 + scale}, tolerance ${tol})`);
    }
  }
}

/** A primitive's result against the reference's: tensors at float32 tolerance, indices and flags exactly. */
export function expectResult(got: PrimitiveResult, want: PrimitiveResult, what: string, tolerance: Tolerance = {}): void {
  if (typeof want === 'boolean' || want instanceof Int32Array) {
    expect(typeof got === 'boolean' ? got : Array.from(got as Int32Array), what).toEqual(typeof want === 'boolean' ? want : Array.from(want));
  } else {
    expectClose(got as Tensor, want, what, tolerance);
  }
}

/** The names of the kernels `call` launches on `backend` (see `GpujsBackend.observe`). */
export function record(backend: GpujsBackend, call: () => unknown): string[] {
  const names: string[] = [];
  const restore = backend.observe((launch) => names.push(launch.name));
  try {
    call();
  } finally {
    restore();
  }
  return names;
}

/** Largest |x| of a tensor (0 for an empty one). */
export function maxAbs(t: Tensor): number {
  return Array.from(t.toTypedArray()).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}
