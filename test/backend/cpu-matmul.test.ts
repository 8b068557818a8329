/**
 * The CPU reference backend's matmul (blocked dot products of contiguous rows) against the plain
 * triple loop in the saxpy order it replaced: bit for bit in every transpose variant and dtype,
 * odd sizes that leave remainders of the 2×4 blocking, zeros in A; and where B has infinities,
 * A's zeros still never meet them (0·∞ would make NaN where the product has no such term).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/backend/cpu.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';


/** A·B with A [n,k], B [k,m] as nested arrays, accumulated row by row skipping A's zeros. */
function saxpy(A: number[][], B: number[][]): number[] {
  const n = A.length, k = B.length, m = B[0].length;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) if (A[i][p] !== 0) for (let j = 0; j < m; j++) out[i * m + j] += A[i][p] * B[p][j];
  return Array.from(out);
}

const rows = (t: number[], r: number, c: number) => Array.from({ length: r }, (_, i) => t.slice(i * c, i * c + c));
const transpose = (a: number[][]) => a[0].map((_, j) => a.map((row) => row[j]));

describe('cpu matmul', () => {
  it('equals the saxpy-order triple loop bit for bit (all transposes, float64 and float32, zeros in A)', () => {
    const dims = fc.record({ n: fc.integer({ min: 1, max: 9 }), k: fc.integer({ min: 1, max: 9 }), m: fc.integer({ min: 1, max: 11 }) });
    const entry = fc.oneof(fc.constant(0), fc.double({ min: -4, max: 4, noNaN: true }));
    fc.assert(
      fc.property(
        dims.chain(({ n, k, m }) => fc.tuple(fc.constant({ n, k, m }), fc.array(entry, { minLength: n * k, maxLength: n * k }), fc.array(entry, { minLength: k * m, maxLength: k * m }))),
        fc.boolean(), fc.boolean(), fc.constantFrom('float64' as const, 'float32' as const),
        ([{ n, k, m }, a, b], tA, tB, dtype) => {
          const round = dtype === 'float32' ? Math.fround : (v: number) => v;
          const A = rows(a.map(round), n, k), B = rows(b.map(round), k, m);
          const ta = cpu.fromArray((tA ? transpose(A) : A).flat(), tA ? [k, n] : [n, k], dtype);
          const tb = cpu.fromArray((tB ? transpose(B) : B).flat(), tB ? [m, k] : [k, m], dtype);
          expect(Array.from(cpu.matmul(ta, tb, tA, tB).toTypedArray())).toEqual(saxpy(A, B).map(round));
        },
      ),
      { numRuns: runs(RUN_WEIGHTS.cpuMatmulBits) },
    );
  });

  it("keeps A's zeros away from B's infinities", () => {
    const a = cpu.fromArray([0, 1, 2, 0], [2, 2], 'float64');
    const b = cpu.fromArray([Infinity, 1, 3, 4], [2, 2], 'float64');
    expect(Array.from(cpu.matmul(a, b, false, false).toTypedArray())).toEqual([3, 4, Infinity, 2]);
  });
});
