/**
 * The elementwise wasm kernels of the fast path against their scalar definitions (kernels.ts):
 * rowMax and rowExp (masking of the target and of padding lanes, the clamp, interclass filtering,
 * the cut sign, the SIMD exp), gRow, and the W-sized passes norms, packT, packN and fixDW.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantiateKernels } from '../../src/backend/wasm/kernels.js';
import { WebAssemblyApi } from '../../src/backend/wasm/wasm-types.js';
import { uniformIn } from '../support/arbitraries.js';
import { RUN_WEIGHTS, runs } from '../support/runs.js';
import { FLOAT32_MIN_NORMAL, relativeError } from '../../src/check/tolerance.js';

const memory = new WebAssemblyApi.Memory({ initial: 16, maximum: 16, shared: true });
const k = instantiateKernels(memory);
const f32 = new Float32Array(memory.buffer);
const ROW = 0, WINV = 4096, OUT = 8192; // byte addresses; 1,024 floats each

/** |a − b| relative to |b|, for float32 results (absolute below float32's smallest normal). */
const rel = (a: number, b: number) => relativeError(a, b, FLOAT32_MIN_NORMAL);

const row = fc.integer({ min: 1, max: 40 }).chain((cr) =>
  fc.record({
    cr: fc.constant(cr),
    raw: fc.array(uniformIn(-1.3, 1.3), { minLength: cr + 3, maxLength: cr + 3 }),
    winv: fc.array(uniformIn(0.5, 1.5), { minLength: cr + 3, maxLength: cr + 3 }),
    yy: fc.integer({ min: -2, max: cr + 1 }),
    thr: fc.oneof(fc.constant(Infinity), uniformIn(0.2, 0.9)),
    s: uniformIn(1, 64),
  }),
);

describe('fast path kernels', () => {
  it('rowMax and rowExp match their scalar definition (masks, clamp, filtering, cut sign, exp)', () => {
    fc.assert(
      fc.property(row, ({ cr, raw, winv, yy, thr, s }) => {
        const n4 = (cr + 3) & ~3;
        f32.set(raw, ROW >> 2);
        f32.set(winv, WINV >> 2);
        const cos = raw.map((r, j) => Math.fround(Math.fround(r) * Math.fround(winv[j])));
        const kept = (j: number) => j !== yy && j < cr;
        const filtered = (v: number) => Math.min(Math.max(v, -1), 1) > thr;
        const cv = (v: number) => (filtered(v) ? 0 : Math.min(Math.max(v, -1), 1));
        let max = -Infinity;
        for (let j = 0; j < n4; j++) if (kept(j)) max = Math.max(max, cv(cos[j]));
        expect(k.rowMax(ROW, WINV, n4, cr, yy, thr)).toBe(Math.fround(max));
        const m = Number.isFinite(max) ? Math.fround(s * max) : 0;
        const sum = k.rowExp(ROW, WINV, n4, cr, yy, thr, s, m);
        let want = 0;
        for (let j = 0; j < n4; j++) {
          // the kernel subtracts in float32 too, so the reference exponent is rounded as its is
          const e = kept(j) ? Math.exp(Math.fround(Math.fround(Math.fround(s) * cv(cos[j])) - m)) : 0;
          want += e;
          const got = f32[(ROW >> 2) + j];
          const cut = cos[j] < -1 || cos[j] > 1 || filtered(cos[j]);
          // relative to float32's ulp where the result is well inside the normal range; below that
          // the kernel's clamp at x = −87.34 (the normal range's edge) decides, at ~1e-38
          if (e > 1e-36 || e === 0) expect(rel(Math.abs(got), e)).toBeLessThan(4e-7);
          else expect(Math.abs(got)).toBeLessThan(1e-36);
          if (e > 0) expect(Math.sign(got)).toBe(cut ? -1 : 1);
        }
        expect(rel(sum, want)).toBeLessThan(1e-6);
      }),
      { numRuns: runs(RUN_WEIGHTS.fastKernelRows) },
    );
  });

  it('exp is accurate to float32 over the whole range the head uses (s·cos − m in [−128, 0])', () => {
    const n = 1024;
    const xs = Array.from({ length: n }, (_, j) => -128 + (128 * j) / (n - 1));
    f32.set(xs.map((x) => x / 128), ROW >> 2); // cos = x/128, s = 128, m = 0: exp(x)
    f32.fill(1, WINV >> 2, (WINV >> 2) + n);
    k.rowExp(ROW, WINV, n, n, -1, Infinity, 128, 0);
    for (let j = 0; j < n; j++) {
      const x = Math.fround(128 * Math.fround(xs[j] / 128));
      const want = Math.exp(x);
      const got = f32[(ROW >> 2) + j];
      // normal results to 2 ulp; near and below float32's normal range (x < −87.3) the kernel gives ~2⁻¹²⁶
      if (x > -87) expect(rel(got, want)).toBeLessThan(2.4e-7);
      else expect(got).toBeLessThan(2e-38);
    }
  });

  it('gRow scales the positive exponentials and zeroes the rest', () => {
    const vals = [0.5, -0.25, 0, 1, 2, -3, 0.125, 4];
    f32.set(vals, ROW >> 2);
    f32.set([1, 2, 3, 4, 0.5, 0.25, 2, 1], WINV >> 2);
    k.gRow(ROW, OUT, WINV, 8, 3);
    expect(Array.from(f32.subarray(OUT >> 2, (OUT >> 2) + 8))).toEqual([1.5, 0, 0, 12, 3, 0, 0.75, 12]);
  });

  it('norms, packT, packN and fixDW follow their layouts', () => {
    const rows = 5, dp = 16;
    const w = Array.from({ length: rows * dp }, (_, i) => Math.fround(Math.sin(i + 1)));
    f32.set(w, ROW >> 2);
    const norm = (r: number) => Math.hypot(...w.slice(r * dp, r * dp + dp));
    k.norms(ROW, rows, dp, 1e-12, OUT, OUT + 64);
    for (let r = 0; r < rows; r++) {
      expect(rel(f32[(OUT >> 2) + r], norm(r))).toBeLessThan(1e-6);
      expect(rel(f32[(OUT >> 2) + 16 + r], 1 / norm(r))).toBeLessThan(1e-6);
    }
    k.packT(ROW, rows, dp, WINV);
    for (let jj = 0; jj < rows; jj++) for (let kk = 0; kk < dp; kk++) expect(f32[(WINV >> 2) + (jj >> 3) * 8 * dp + 8 * kk + (jj & 7)]).toBe(w[jj * dp + kk]);
    const ldo = 6;
    k.packN(ROW, rows, ldo, dp, WINV);
    for (let jj = 0; jj < rows; jj++) for (let kk = 0; kk < dp; kk++) expect(f32[(WINV >> 2) + (kk >> 3) * 8 * ldo + 8 * jj + (kk & 7)]).toBe(w[jj * dp + kk]);
    const D = Array.from({ length: rows * dp }, (_, i) => Math.fround(Math.cos(3 * i)));
    f32.set(D, WINV >> 2);
    f32.set([norm(0), norm(1), 1e-13, norm(3), norm(4)], OUT >> 2); // row 2 at or below ε: left alone
    k.fixDW(WINV, ROW, OUT, rows, dp, 1e-12);
    for (let r = 0; r < rows; r++) {
      const wr = w.slice(r * dp, r * dp + dp), dr = D.slice(r * dp, r * dp + dp);
      const f = r === 2 ? 0 : wr.reduce((a, v, i) => a + v * dr[i], 0) / norm(r) ** 2;
      for (let i = 0; i < dp; i++) expect(Math.abs(f32[(WINV >> 2) + r * dp + i] - (dr[i] - wr[i] * f))).toBeLessThan(1e-6);
    }
  });
});
