/**
 * Helpers of the backend conformance suite: which gpu.js modes run here, moving samples onto a
 * backend with float32-rounded values (so that the reference and the backend see the same
 * numbers), and the float32 comparison.
 */
import { expect } from 'vitest';
import type { Backend } from '../../../src/backend/backend.js';
import { cpu } from '../../../src/backend/cpu.js';
import { GpujsBackend } from '../../../src/backend/gpujs/gpujs-backend.js';
import type { GpujsMode } from '../../../src/backend/gpujs/runtime.js';
import { Tensor } from '../../../src/tensor/tensor.js';

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
 * Float32 agreement: |got − want| ≤ tol·(1 + |want| + scale), where `scale` is the magnitude of
 * the terms that were summed into the result (a float32 sum of large terms can lose their digits).
 */
export function expectClose(got: Tensor, want: Tensor, what: string, { tol = 1e-4, scale = 0 } = {}): void {
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  const g = got.toTypedArray();
  const w = want.toTypedArray();
  for (let i = 0; i < w.length; i++) {
    const bound = tol * (1 + Math.abs(w[i]) + scale);
    if (!(Math.abs(g[i] - w[i]) <= bound)) {
      throw new Error(`${what}: element ${i} is ${g[i]} on ${got.backend.name} but ${w[i]} on the reference (bound ${bound.toExponential(2)})`);
    }
  }
}

/** Largest |x| of a tensor (0 for an empty one). */
export function maxAbs(t: Tensor): number {
  return Array.from(t.toTypedArray()).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}
