/**
 * The wasm backend's elementwise SIMD kernels (src/backend/wasm/elementwise.ts) against the CPU
 * reference on float32 tensors, bit for bit, over every float32 including NaN, ±∞, ±0 and
 * subnormals (the conformance suite compares against float64 on tame domains; this checks the
 * claim that the kernels round exactly as the reference stores), and the finite checks that the
 * backend remembers for kernel results.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { BinaryFn, UnaryFn } from '../../src/backend/backend.js';
import { CpuBackend } from '../../src/backend/cpu.js';
import { WasmBackend } from '../../src/backend/wasm/backend.js';
import { shutdownFastPool } from '../../src/backend/wasm/pool.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { runs } from '../support/runs.js';

const wasm = new WasmBackend({ threads: 1 });
const cpu = new CpuBackend();
afterAll(() => shutdownFastPool());

/** Any float32, specials included, often a tame one. */
const value = fc.oneof(fc.float(), fc.float({ min: -4, max: 4, noNaN: true }));
/** A matrix past the kernels' size threshold, its columns a multiple of 4 or not. */
const matrix = fc.tuple(fc.integer({ min: 16, max: 40 }), fc.integer({ min: 4, max: 40 })).chain(([n, c]) =>
  fc.record({ shape: fc.constant([n, c]), data: fc.array(value, { minLength: n * c, maxLength: n * c }) }),
);
const arrays = (length: number) => fc.array(value, { minLength: length, maxLength: length });

type Data = { shape: readonly number[]; data: number[] };
/** The same call on both backends, compared bit for bit (NaN equals NaN, −0 differs from +0). */
function agree(inputs: Data[], call: (b: WasmBackend | CpuBackend, t: Tensor[]) => Tensor): void {
  const run = (b: WasmBackend | CpuBackend) => b.read(call(b, inputs.map((d) => b.fromArray(d.data, d.shape, 'float32'))));
  expect(Array.from(run(wasm))).toEqual(Array.from(run(cpu)));
}

const UNARY: UnaryFn[] = ['neg', 'abs', 'sqrt', 'square', 'reciprocal', 'floor', 'relu', 'step', 'sign'];
const BINARY: BinaryFn[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'greater'];
const BROADCASTS: [string, (n: number, c: number) => readonly number[]][] = [
  ['[n,c]', (n, c) => [n, c]], ['[c]', (_, c) => [c]], ['[1,c]', (_, c) => [1, c]], ['[n,1]', (n) => [n, 1]], ['[]', () => []],
];

describe('wasm elementwise kernels agree with the float32 reference bit for bit', () => {
  it.each(UNARY)('unary %s', (fn) => {
    fc.assert(fc.property(matrix, (m) => agree([m], (b, [a]) => b.unary(fn, a))), { numRuns: runs() });
  });

  it.each(BINARY)('binary %s under every broadcast, either operand broadcast', (fn) => {
    fc.assert(
      fc.property(
        matrix.chain((m) => fc.constantFrom(...BROADCASTS).chain(([, shape]) => {
          const s = shape(m.shape[0], m.shape[1]);
          return fc.tuple(fc.constant(m), arrays(s.reduce((p, v) => p * v, 1)).map((data) => ({ shape: s, data })), fc.boolean());
        })),
        ([m, other, swap]) => agree(swap ? [other, m] : [m, other], (b, [x, y]) => b.binary(fn, x, y)),
      ),
      { numRuns: runs() },
    );
  });

  it('affine, with and without a shift, scale and shift not float32 numbers', () => {
    fc.assert(
      fc.property(matrix, fc.double({ min: -3, max: 3, noNaN: true }), fc.oneof(fc.constant(0), fc.double({ min: -1, max: 1, noNaN: true })), (m, s, t) =>
        agree([m], (b, [a]) => b.affine(a, s, t))),
      { numRuns: runs() },
    );
  });

  it('axpby, coefficients not float32 numbers, equal to the affine-then-add composition it replaces', () => {
    fc.assert(
      fc.property(
        matrix.chain((m) => fc.tuple(fc.constant(m), arrays(m.data.length))),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        ([m, other], alpha, beta) => {
          const y = { shape: m.shape, data: other };
          agree([m, y], (b, [a, c]) => b.axpby(a, alpha, c, beta));
          agree([m, y], (b, [a, c]) => (b === wasm ? b.axpby(a, alpha, c, beta) : b.binary('add', b.affine(a, alpha, 0), b.affine(c, beta, 0))));
        },
      ),
      { numRuns: runs() },
    );
  });

  it('axpby rejects operands of different shapes', () => {
    expect(() => wasm.axpby(wasm.fill([16, 8], 1, 'float32'), 1, wasm.fill([8, 16], 1, 'float32'), 1)).toThrow(/axpby: shapes/);
  });

  it('clamp and between, bounds not float32 numbers', () => {
    fc.assert(
      fc.property(matrix, fc.double({ min: -2, max: 0.5, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }), (m, lo, hi) => {
        agree([m], (b, [a]) => b.clamp(a, lo, hi));
        agree([m], (b, [a]) => b.between(a, lo, hi));
      }),
      { numRuns: runs() },
    );
  });

  it('where (a NaN or −0 mask included)', () => {
    fc.assert(
      fc.property(matrix.chain((m) => fc.tuple(fc.constant(m), arrays(m.data.length), arrays(m.data.length))), ([m, a, b2]) =>
        agree([m, { shape: m.shape, data: a }, { shape: m.shape, data: b2 }], (b, [mask, x, y]) => b.where(mask, x, y))),
      { numRuns: runs() },
    );
  });

  it('sum over axis 0 (float64 accumulation in the reference order)', () => {
    fc.assert(fc.property(matrix, (m) => agree([m], (b, [a]) => b.sum(a, 0))), { numRuns: runs() });
  });

  it('allFinite of inputs and of kernel results (remembered only when true)', () => {
    fc.assert(
      fc.property(matrix, fc.constantFrom<BinaryFn>('add', 'mul', 'div'), (m, fn) => {
        const check = (b: WasmBackend | CpuBackend) => {
          const a = b.fromArray(m.data, m.shape, 'float32');
          const r = b.binary(fn, a, b.fromArray(m.data.map((v) => v / 3), m.shape, 'float32'));
          return [b.allFinite(a), b.allFinite(a), b.allFinite(r), b.allFinite(r)];
        };
        expect(check(wasm)).toEqual(check(cpu));
      }),
      { numRuns: runs() },
    );
  });
});
