/**
 * The fast path's kernels, emitted as WebAssembly SIMD by the assembler in wasm-asm.ts: one matrix
 * product and the W-sized passes around it (row norms, the two packings of W, the backward of the
 * row normalization), so that no pass over C×d elements runs in JavaScript. The product:
 *
 *   gemm(M, Nc, K, A, ars, aks, B, ldb, bps, C, ldc, acc):   C[M×Nc] (+)= op(A)[M×K] · B[K×Nc]
 *
 * A's element (r, k) is read at A + 4·(r·ars + k·aks), so one kernel serves A, Aᵀ and any strided
 * view (the margin head uses X̂·Ŵᵀ with Ŵ packed in panels, G·Ŵ and Gᵀ·X̂). B's element (k, j)
 * is read at B + 4·(⌊j/8⌋·bps + k·ldb + j mod 8): bps = 8 for a row-major B, or bps = 8·K and
 * ldb = 8 for B packed in panels of 8 columns (each panel contiguous, so a tile's B stays in L1).
 * C is row-major with leading dimension ldc. Strides are in elements, addresses in bytes.
 * M must be a multiple of 4 and Nc of 8 (callers pad with zeros): the register tile is 4 rows ×
 * 8 columns, eight f32x4 accumulators, B read as two vectors and A broadcast per k.
 */
import { Code, F32, I32, V128, assemble } from './wasm-asm.js';
import { WebAssemblyApi, type WasmMemory, type WasmModule } from './wasm-types.js';

/** Register tile: rows of A per tile, and columns of B (two f32x4 vectors). */
export const TILE_M = 4;
export const TILE_N = 8;

function gemmCode(): Code {
  const c = new Code(12);
  const [M, Nc, K, A, ars, aks, B, ldb, bps, C, ldc, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const i = c.local(I32), j = c.local(I32), k = c.local(I32);
  const a0 = c.local(I32), a1 = c.local(I32), a2 = c.local(I32), a3 = c.local(I32), b = c.local(I32), out = c.local(I32);
  const acc = Array.from({ length: 8 }, () => c.local(V128));
  const bv0 = c.local(V128), bv1 = c.local(V128), x = c.local(V128);
  const ar = [a0, a1, a2, a3];
  // strides to bytes
  for (const s of [ars, aks, ldb, bps, ldc]) c.get(s).i32(2).shl().set(s);

  c.i32(0).set(j);
  c.block().loop(); // over column panels j
  c.get(j).get(Nc).ltU().eqz().brIf(1);
  c.i32(0).set(i);
  c.block().loop(); // over row tiles i
  c.get(i).get(M).ltU().eqz().brIf(1);
  c.get(A).get(i).get(ars).mul().add().set(a0);
  c.get(a0).get(ars).add().set(a1);
  c.get(a1).get(ars).add().set(a2);
  c.get(a2).get(ars).add().set(a3);
  c.get(B).get(j).i32(3).shr().get(bps).mul().add().set(b);
  for (const v of acc) c.vzero().set(v);
  c.get(K).set(k);
  c.block().loop(); // over k
  c.get(k).eqz().brIf(1);
  c.get(b).vload(0).set(bv0);
  c.get(b).vload(16).set(bv1);
  for (let r = 0; r < 4; r++) {
    c.get(ar[r]).vsplat32(0).set(x);
    c.get(acc[2 * r]).get(x).get(bv0).f32x4Mul().f32x4Add().set(acc[2 * r]);
    c.get(acc[2 * r + 1]).get(x).get(bv1).f32x4Mul().f32x4Add().set(acc[2 * r + 1]);
    c.get(ar[r]).get(aks).add().set(ar[r]);
  }
  c.get(b).get(ldb).add().set(b);
  c.get(k).i32(1).sub().set(k);
  c.br(0).end().end();
  // write the tile
  c.get(C).get(i).get(ldc).mul().add().get(j).i32(2).shl().add().set(out);
  for (let r = 0; r < 4; r++) {
    c.get(accumulate).if();
    c.get(acc[2 * r]).get(out).vload(0).f32x4Add().set(acc[2 * r]);
    c.get(acc[2 * r + 1]).get(out).vload(16).f32x4Add().set(acc[2 * r + 1]);
    c.end();
    c.get(out).get(acc[2 * r]).vstore(0);
    c.get(out).get(acc[2 * r + 1]).vstore(16);
    c.get(out).get(ldc).add().set(out);
  }
  c.get(i).i32(4).add().set(i);
  c.br(0).end().end();
  c.get(j).i32(8).add().set(j);
  c.br(0).end().end();
  return c;
}

/**
 * norms(W, rows, dp, eps, NORM, INV): for each of `rows` rows of W (dp floats each, dp a multiple
 * of 4), NORM[r] = ‖w_r‖ and INV[r] = 1/max(‖w_r‖, eps); the sum of squares in f32x4 lanes.
 */
function normsCode(): Code {
  const c = new Code(6);
  const [W, rows, dp, eps, NORM, INV] = [0, 1, 2, 3, 4, 5];
  const r = c.local(I32), p = c.local(I32), end = c.local(I32), acc = c.local(V128), v = c.local(V128), n = c.local(F32);
  c.i32(0).set(r);
  c.block().loop();
  c.get(r).get(rows).ltU().eqz().brIf(1);
  c.get(W).get(r).get(dp).mul().i32(2).shl().add().tee(p).get(dp).i32(2).shl().add().set(end);
  c.vzero().set(acc);
  c.block().loop();
  c.get(p).get(end).ltU().eqz().brIf(1);
  c.get(p).vload(0).set(v);
  c.get(acc).get(v).get(v).f32x4Mul().f32x4Add().set(acc);
  c.get(p).i32(16).add().set(p);
  c.br(0).end().end();
  c.get(acc).f32x4ExtractLane(0).get(acc).f32x4ExtractLane(1).f32Add()
    .get(acc).f32x4ExtractLane(2).get(acc).f32x4ExtractLane(3).f32Add().f32Add().f32Sqrt().set(n);
  c.get(NORM).get(r).i32(2).shl().add().get(n).f32Store(0);
  c.get(INV).get(r).i32(2).shl().add().f32(1).get(n).get(eps).f32Max().f32Div().f32Store(0);
  c.get(r).i32(1).add().set(r);
  c.br(0).end().end();
  return c;
}

/**
 * packT(W, rows, dp, OUT): Wᵀ of `rows` rows of W (dp floats each) packed in panels of 8 columns,
 * as gemm's B wants it: row jj's feature k at OUT + 4·(⌊jj/8⌋·8·dp + 8k + jj mod 8). Columns
 * from `rows` to the next multiple of 8 are left as they are (the caller ignores their products).
 */
function packTCode(): Code {
  const c = new Code(4);
  const [W, rows, dp, OUT] = [0, 1, 2, 3];
  const jj = c.local(I32), src = c.local(I32), dst = c.local(I32), end = c.local(I32);
  c.i32(0).set(jj);
  c.block().loop();
  c.get(jj).get(rows).ltU().eqz().brIf(1);
  c.get(W).get(jj).get(dp).mul().i32(2).shl().add().tee(src).get(dp).i32(2).shl().add().set(end);
  // OUT + 4·(⌊jj/8⌋·8·dp + jj mod 8)
  c.get(OUT).get(jj).i32(3).shr().get(dp).mul().i32(5).shl().add().get(jj).i32(7).and().i32(2).shl().add().set(dst);
  c.block().loop();
  c.get(src).get(end).ltU().eqz().brIf(1);
  for (let u = 0; u < 4; u++) c.get(dst).get(src).f32Load(4 * u).f32Store(32 * u);
  c.get(src).i32(16).add().set(src);
  c.get(dst).i32(128).add().set(dst);
  c.br(0).end().end();
  c.get(jj).i32(1).add().set(jj);
  c.br(0).end().end();
  return c;
}

/**
 * packN(W, rows, ldo, dp, OUT): `rows` rows of W (dp floats each, dp a multiple of 8) packed in
 * panels of 8 features, as gemm's B wants a row-major K×dp operand: row jj's feature k at
 * OUT + 4·(⌊k/8⌋·8·ldo + 8jj + k mod 8) (ldo: rows per panel). Two f32x4 copies per panel row.
 */
function packNCode(): Code {
  const c = new Code(5);
  const [W, rows, ldo, dp, OUT] = [0, 1, 2, 3, 4];
  const jj = c.local(I32), src = c.local(I32), dst = c.local(I32), end = c.local(I32), step = c.local(I32);
  c.get(ldo).i32(5).shl().set(step); // 8·ldo floats, in bytes
  c.i32(0).set(jj);
  c.block().loop();
  c.get(jj).get(rows).ltU().eqz().brIf(1);
  c.get(W).get(jj).get(dp).mul().i32(2).shl().add().tee(src).get(dp).i32(2).shl().add().set(end);
  c.get(OUT).get(jj).i32(5).shl().add().set(dst);
  c.block().loop();
  c.get(src).get(end).ltU().eqz().brIf(1);
  c.get(dst).get(src).vload(0).vstore(0);
  c.get(dst).get(src).vload(16).vstore(16);
  c.get(src).i32(32).add().set(src);
  c.get(dst).get(step).add().set(dst);
  c.br(0).end().end();
  c.get(jj).i32(1).add().set(jj);
  c.br(0).end().end();
  return c;
}

/**
 * fixDW(D, W, NORM, rows, dp, eps): for each row r with NORM[r] > eps, D_r −= w_r·⟨w_r, D_r⟩/NORM[r]²
 * in place (the backward of w/‖w‖ given D = ∂L/∂ŵ/‖w‖); rows with NORM[r] ≤ eps are left as they are.
 */
function fixDWCode(): Code {
  const c = new Code(6);
  const [D, W, NORM, rows, dp, eps] = [0, 1, 2, 3, 4, 5];
  const r = c.local(I32), pd = c.local(I32), pw = c.local(I32), end = c.local(I32), bytes = c.local(I32);
  const acc = c.local(V128), f = c.local(V128), n = c.local(F32);
  c.get(dp).i32(2).shl().set(bytes);
  c.i32(0).set(r);
  c.block().loop();
  c.get(r).get(rows).ltU().eqz().brIf(1);
  c.get(NORM).get(r).i32(2).shl().add().f32Load(0).set(n);
  c.get(n).get(eps).f32Gt().if();
  c.get(D).get(r).get(bytes).mul().add().tee(pd).get(bytes).add().set(end);
  c.get(W).get(r).get(bytes).mul().add().set(pw);
  c.vzero().set(acc);
  c.block().loop();
  c.get(pd).get(end).ltU().eqz().brIf(1);
  c.get(acc).get(pd).vload(0).get(pw).vload(0).f32x4Mul().f32x4Add().set(acc);
  c.get(pd).i32(16).add().set(pd);
  c.get(pw).i32(16).add().set(pw);
  c.br(0).end().end();
  c.get(acc).f32x4ExtractLane(0).get(acc).f32x4ExtractLane(1).f32Add()
    .get(acc).f32x4ExtractLane(2).get(acc).f32x4ExtractLane(3).f32Add().f32Add()
    .get(n).get(n).f32Mul().f32Div().f32x4Splat().set(f);
  c.get(D).get(r).get(bytes).mul().add().set(pd);
  c.get(W).get(r).get(bytes).mul().add().set(pw);
  c.block().loop();
  c.get(pd).get(end).ltU().eqz().brIf(1);
  c.get(pd).get(pd).vload(0).get(pw).vload(0).get(f).f32x4Mul().f32x4Sub().vstore(0);
  c.get(pd).i32(16).add().set(pd);
  c.get(pw).i32(16).add().set(pw);
  c.br(0).end().end();
  c.end(); // if
  c.get(r).i32(1).add().set(r);
  c.br(0).end().end();
  return c;
}

/**
 * Emits e = exp(x) for the f32x4 in local `x` into local `e` (Cephes' expf: x clamped to
 * [−87.34, 88.72], n = round(x·log₂e), r = x − n·ln 2 in two parts, a degree-6 polynomial in r,
 * times 2ⁿ built in the exponent bits; about 1 ulp). `t` is a scratch v128 local.
 */
function emitExp(c: Code, x: number, e: number, t: number): void {
  c.get(x).vconstF32(88.72283).f32x4Min().vconstF32(-87.33654).f32x4Max().set(x);
  c.get(x).vconstF32(1.44269504088896341).f32x4Mul().f32x4Nearest().set(t); // n
  c.get(x).get(t).vconstF32(0.693359375).f32x4Mul().f32x4Sub().get(t).vconstF32(-2.12194440e-4).f32x4Mul().f32x4Sub().set(x); // r
  c.vconstF32(1.9875691500e-4);
  for (const k of [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]) c.get(x).f32x4Mul().vconstF32(k).f32x4Add();
  c.get(x).get(x).f32x4Mul().f32x4Mul().get(x).f32x4Add().vconstF32(1).f32x4Add(); // p·r² + r + 1
  c.get(t).i32x4TruncSatF32x4S().vconstI32(127).i32x4Add().i32(23).i32x4Shl(); // 2ⁿ as f32 bits
  c.f32x4Mul().set(e);
}

/**
 * The per-row lanes of the forward's elementwise pass over a chunk row (see phases.ts): columns
 * 0 … n4−1 of the raw products at ROW, times 1/‖w_j‖ from WINV, clamped to [−1, 1], set to 0 above
 * `thr` (interclass filtering; +∞ for none). Lanes at the target column yy and at or beyond cr are
 * masked. Leaves the cosines in `cv`, the keep mask in `keep`; with `cut`, also whether the
 * gradient is cut (outside the clamp, or filtered).
 */
function emitCosines(c: Code, l: { ROW: number; WINV: number; p: number; idx: number; yyv: number; crv: number; thrv: number; v: number; cv: number; keep: number; f: number; cut?: number }): void {
  c.get(l.ROW).get(l.p).add().vload(0).get(l.WINV).get(l.p).add().vload(0).f32x4Mul().set(l.v);
  if (l.cut !== undefined) c.get(l.v).vconstF32(-1).f32x4Lt().get(l.v).vconstF32(1).f32x4Gt().vor().set(l.cut);
  c.get(l.v).vconstF32(-1).f32x4Max().vconstF32(1).f32x4Min().set(l.cv);
  c.get(l.cv).get(l.thrv).f32x4Gt().set(l.f);
  if (l.cut !== undefined) c.get(l.cut).get(l.f).vor().set(l.cut);
  c.get(l.cv).get(l.f).vandnot().set(l.cv);
  c.get(l.idx).get(l.yyv).i32x4Ne().get(l.idx).get(l.crv).i32x4LtS().vand().set(l.keep);
}

/** Parameters and locals shared by rowMax and rowExp: ROW, WINV, n4, cr, yy, thr first. */
function rowLocals(c: Code) {
  const [ROW, WINV, n4, cr, yy, thr] = [0, 1, 2, 3, 4, 5];
  const p = c.local(I32), end = c.local(I32);
  const idx = c.local(V128), yyv = c.local(V128), crv = c.local(V128), thrv = c.local(V128);
  const v = c.local(V128), cv = c.local(V128), keep = c.local(V128), f = c.local(V128), acc = c.local(V128);
  c.get(yy).i32x4Splat().set(yyv);
  c.get(cr).i32x4Splat().set(crv);
  c.get(thr).f32x4Splat().set(thrv);
  c.vconstI32x4(0, 1, 2, 3).set(idx);
  c.i32(0).set(p);
  c.get(n4).i32(2).shl().set(end);
  return { ROW, WINV, p, end, idx, yyv, crv, thrv, v, cv, keep, f, acc };
}

/** The lanes' loop: `body` between the bound check and the step of p (bytes) and idx. */
function lanesLoop(c: Code, l: { p: number; end: number; idx: number }, body: () => void): void {
  c.block().loop();
  c.get(l.p).get(l.end).ltU().eqz().brIf(1);
  body();
  c.get(l.p).i32(16).add().set(l.p);
  c.get(l.idx).vconstI32(4).i32x4Add().set(l.idx);
  c.br(0).end().end();
}

/** Horizontal reduction of the f32x4 in `v` with the scalar op `op`. */
function reduceLanes(c: Code, v: number, op: (c: Code) => Code): void {
  c.get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1);
  op(c);
  c.get(v).f32x4ExtractLane(2).get(v).f32x4ExtractLane(3);
  op(c);
  op(c);
}

/** rowMax(ROW, WINV, n4, cr, yy, thr) → the largest kept cosine of the row (−∞ if none). */
function rowMaxCode(): Code {
  const c = new Code(6);
  const l = rowLocals(c);
  c.vconstF32(-Infinity).set(l.acc);
  lanesLoop(c, l, () => {
    emitCosines(c, l);
    c.get(l.acc).get(l.cv).vconstF32(-Infinity).get(l.keep).vbitselect().f32x4Max().set(l.acc);
  });
  reduceLanes(c, l.acc, (k) => k.f32Max());
  return c;
}

/**
 * rowExp(ROW, WINV, n4, cr, yy, thr, s, m) → Σ of the kept lanes' exp(s·cos − m); each lane's
 * exponential is stored back over ROW (0 where masked), negated where the gradient is cut.
 */
function rowExpCode(): Code {
  const c = new Code(8);
  const [s, m] = [6, 7];
  const l = rowLocals(c);
  const cut = c.local(V128), sv = c.local(V128), mv = c.local(V128), x = c.local(V128), e = c.local(V128), t = c.local(V128);
  c.get(s).f32x4Splat().set(sv);
  c.get(m).f32x4Splat().set(mv);
  c.vzero().set(l.acc);
  lanesLoop(c, l, () => {
    emitCosines(c, { ...l, cut });
    c.get(l.cv).get(sv).f32x4Mul().get(mv).f32x4Sub().set(x);
    emitExp(c, x, e, t);
    c.get(e).get(l.keep).vand().set(e);
    c.get(l.acc).get(e).f32x4Add().set(l.acc);
    c.get(l.ROW).get(l.p).add().get(e).get(cut).vconstI32(-0x80000000).vand().vxor().vstore(0);
  });
  reduceLanes(c, l.acc, (k) => k.f32Add());
  return c;
}

/** gRow(ROW, OUT, WINV, n4, fac): OUT[j] = ROW[j] > 0 ? ROW[j]·fac·WINV[j] : 0 for j < n4 (the backward's G′). */
function gRowCode(): Code {
  const c = new Code(5);
  const [ROW, OUT, WINV, n4, fac] = [0, 1, 2, 3, 4];
  const p = c.local(I32), end = c.local(I32), fv = c.local(V128), e = c.local(V128);
  c.get(fac).f32x4Splat().set(fv);
  c.i32(0).set(p);
  c.get(n4).i32(2).shl().set(end);
  c.block().loop();
  c.get(p).get(end).ltU().eqz().brIf(1);
  c.get(ROW).get(p).add().vload(0).set(e);
  c.get(OUT).get(p).add();
  c.get(e).get(fv).f32x4Mul().get(WINV).get(p).add().vload(0).f32x4Mul();
  c.get(e).vzero().f32x4Gt().vand().vstore(0);
  c.get(p).i32(16).add().set(p);
  c.br(0).end().end();
  return c;
}

/** Largest memory the kernels' module may grow to, in 64 KiB pages (4 GiB: wasm32's limit). */
export const MAX_PAGES = 65536;

let cached: WasmModule | undefined;

/** The compiled kernel module (imports a shared `env.memory`), compiled once per process. */
export function kernelModule(): WasmModule {
  cached ??= new WebAssemblyApi.Module(
    assemble(
      [
        { name: 'gemm', params: new Array<number>(12).fill(I32), code: gemmCode() },
        { name: 'norms', params: [I32, I32, I32, F32, I32, I32], code: normsCode() },
        { name: 'packT', params: [I32, I32, I32, I32], code: packTCode() },
        { name: 'packN', params: [I32, I32, I32, I32, I32], code: packNCode() },
        { name: 'fixDW', params: [I32, I32, I32, I32, I32, F32], code: fixDWCode() },
        { name: 'rowMax', params: [I32, I32, I32, I32, I32, F32], results: [F32], code: rowMaxCode() },
        { name: 'rowExp', params: [I32, I32, I32, I32, I32, F32, F32, F32], results: [F32], code: rowExpCode() },
        { name: 'gRow', params: [I32, I32, I32, I32, F32], code: gRowCode() },
      ],
      { initial: 1, maximum: MAX_PAGES, shared: true },
    ),
  );
  return cached;
}

/** The kernel exports, as instantiated on one memory. */
export interface Kernels {
  gemm(M: number, Nc: number, K: number, A: number, ars: number, aks: number, B: number, ldb: number, bps: number, C: number, ldc: number, acc: number): void;
  norms(W: number, rows: number, dp: number, eps: number, NORM: number, INV: number): void;
  packT(W: number, rows: number, dp: number, OUT: number): void;
  packN(W: number, rows: number, ldo: number, dp: number, OUT: number): void;
  fixDW(D: number, W: number, NORM: number, rows: number, dp: number, eps: number): void;
  rowMax(ROW: number, WINV: number, n4: number, cr: number, yy: number, thr: number): number;
  rowExp(ROW: number, WINV: number, n4: number, cr: number, yy: number, thr: number, s: number, m: number): number;
  gRow(ROW: number, OUT: number, WINV: number, n4: number, fac: number): void;
}

/** Instantiates the kernels on `memory` (a shared WebAssembly.Memory). */
export function instantiateKernels(memory: WasmMemory): Kernels {
  return new WebAssemblyApi.Instance(kernelModule(), { env: { memory } }).exports as unknown as Kernels;
}
