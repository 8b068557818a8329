/**
 * The wasm backend's O(size) primitives as WebAssembly SIMD kernels, emitted by wasm-asm.ts like
 * the gemm: binary maps with broadcasting, the exact unary maps, where, clamp, between, affine,
 * axpby (the optimizers' update), and
 * the finite check, and column sums. They run on the main thread in a memory of their own (a pass over a few
 * hundred thousand floats costs less than waking a worker), four lanes at a time.
 *
 * Every kernel gives the CPU reference's float32 result bit for bit: +, −, ·, /, √ of float32
 * operands rounded once to float32 equal the float64 result rounded to float32 (double rounding is
 * innocuous when the wide format has more than 2·24 + 2 bits), min/max/abs/neg/floor/comparisons
 * are exact, and affine works in f64x2 lanes and rounds where the reference stores (after the
 * product, and after the shift). Transcendentals (exp, log, cos, sin, acos) stay on the reference.
 *
 * Layout: operands are copied into the memory padded to a multiple of 4 floats (with zeros), so
 * the flat kernels need no scalar tail; only the first `size` results are copied out.
 */
import { Code, F32, F64, I32, V128, assemble } from './wasm-asm.js';
import { WebAssemblyApi, type WasmMemory } from './wasm-types.js';
import type { BinaryFn } from '../backend.js';

/** The unary functions with an exact SIMD form (the rest stay on the reference). */
export type SimdUnaryFn = 'neg' | 'abs' | 'sqrt' | 'square' | 'reciprocal' | 'floor' | 'relu' | 'step' | 'sign';

/** Whether `fn` has a SIMD kernel here. */
export function isSimdUnary(fn: string): fn is SimdUnaryFn {
  return (SIMD_UNARY as readonly string[]).includes(fn);
}

const SIMD_UNARY = ['neg', 'abs', 'sqrt', 'square', 'reciprocal', 'floor', 'relu', 'step', 'sign'] as const;
const BINARY: readonly BinaryFn[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'greater'];

/** Emits `op` on the two f32x4 values on the stack. */
function emitBinary(c: Code, fn: BinaryFn): void {
  switch (fn) {
    case 'add': c.f32x4Add(); break;
    case 'sub': c.f32x4Sub(); break;
    case 'mul': c.f32x4Mul(); break;
    case 'div': c.f32x4Div(); break;
    case 'max': c.f32x4Max(); break; // NaN-propagating, −0 < +0: Math.max's rules
    case 'min': c.f32x4Min(); break;
    case 'greater': c.f32x4Gt().vconstF32(1).vand(); break; // lanes 1 or 0
    default: throw new Error(`wasm: unknown binary function ${fn satisfies never}`);
  }
}

/**
 * bin(A, ars, acs, B, brs, bcs, OUT, n, q): for i < n rows and g < q vectors,
 * OUT[(i·q + g)·16] = A[i·ars + g·acs] ∘ B[i·brs + g·bcs] (byte addresses and strides): a column
 * step of 16 reads a row, 0 reads one vector that the caller filled with a repeated scalar.
 */
function binaryCode(fn: BinaryFn): Code {
  const c = new Code(9);
  const [A, ars, acs, B, brs, bcs, OUT, n, q] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const i = c.local(I32), g = c.local(I32), pa = c.local(I32), pb = c.local(I32);
  c.i32(0).set(i);
  c.block().loop();
  c.get(i).get(n).ltU().eqz().brIf(1);
  c.get(A).get(i).get(ars).mul().add().set(pa);
  c.get(B).get(i).get(brs).mul().add().set(pb);
  c.get(q).set(g);
  c.block().loop();
  c.get(g).eqz().brIf(1);
  c.get(OUT).get(pa).vload(0).get(pb).vload(0);
  emitBinary(c, fn);
  c.vstore(0);
  c.get(pa).get(acs).add().set(pa);
  c.get(pb).get(bcs).add().set(pb);
  c.get(OUT).i32(16).add().set(OUT);
  c.get(g).i32(1).sub().set(g);
  c.br(0).end().end();
  c.get(i).i32(1).add().set(i);
  c.br(0).end().end();
  return c;
}

/** A flat loop over q vectors at IN and OUT (params 0, 1, 2); `body` maps local `x` to a value on the stack. */
function flatCode(extraParams: number, inputs: number, body: (c: Code, x: number[]) => void): Code {
  const c = new Code(inputs + 2 + extraParams);
  const OUT = inputs, q = inputs + 1;
  const x = Array.from({ length: inputs }, () => c.local(V128));
  c.block().loop();
  c.get(q).eqz().brIf(1);
  for (let k = 0; k < inputs; k++) c.get(k).vload(0).set(x[k]);
  c.get(OUT);
  body(c, x);
  c.vstore(0);
  for (let k = 0; k < inputs; k++) c.get(k).i32(16).add().set(k);
  c.get(OUT).i32(16).add().set(OUT);
  c.get(q).i32(1).sub().set(q);
  c.br(0).end().end();
  return c;
}

function unaryCode(fn: SimdUnaryFn): Code {
  return flatCode(0, 1, (c, [x]) => {
    switch (fn) {
      case 'neg': c.get(x).f32x4Neg(); break;
      case 'abs': c.get(x).f32x4Abs(); break;
      case 'sqrt': c.get(x).f32x4Sqrt(); break;
      case 'square': c.get(x).get(x).f32x4Mul(); break;
      case 'reciprocal': c.vconstF32(1).get(x).f32x4Div(); break;
      case 'floor': c.get(x).f32x4Floor(); break;
      case 'relu': c.get(x).get(x).vzero().f32x4Gt().vand(); break; // NaN and −0 give +0, as v > 0 ? v : 0
      case 'step': c.get(x).vzero().f32x4Gt().vconstF32(1).vand(); break;
      // Math.sign: 1 where > 0, −1 where < 0, else x itself (±0, NaN)
      case 'sign': c.vconstF32(1).vconstF32(-1).get(x).get(x).vzero().f32x4Lt().vbitselect().get(x).vzero().f32x4Gt().vbitselect(); break;
      default: throw new Error(`wasm: unknown unary function ${fn satisfies never}`);
    }
  });
}

/** where(M, A, B, OUT, q): M ≠ 0 ? A : B (a NaN mask selects A, as m !== 0 does). */
function whereCode(): Code {
  return flatCode(0, 3, (c, [m, a, b]) => { c.get(a).get(b).get(m).vzero().f32x4Ne().vbitselect(); });
}

/** clamp(A, OUT, q, lo, hi): min(max(a, lo), hi), lo and hi already float32 (max and min commute with rounding). */
function clampCode(): Code {
  return flatCode(2, 1, (c, [x]) => { c.get(x).get(3).f32x4Splat().f32x4Max().get(4).f32x4Splat().f32x4Min(); });
}

/** between(A, OUT, q, lo, hi): 1 where lo ≤ a ≤ hi, lo and hi the float32 bounds that decide the same float32 a. */
function betweenCode(): Code {
  return flatCode(2, 1, (c, [x]) => {
    c.get(x).get(3).f32x4Splat().f32x4Ge().get(x).get(4).f32x4Splat().f32x4Le().vand().vconstF32(1).vand();
  });
}

/**
 * affine(A, OUT, pairs, scale, shift) in f64x2 lanes, two floats at a time: f32(f32(a·scale) + shift),
 * the reference's two stores; without the shift (`withShift` false) f32(a·scale), so −0 stays −0 as there.
 */
function affineCode(withShift: boolean): Code {
  const c = new Code(5);
  const [A, OUT, pairs, scale, shift] = [0, 1, 2, 3, 4];
  c.block().loop();
  c.get(pairs).eqz().brIf(1);
  c.get(OUT).get(A).vload64Zero(0).f64x2PromoteLow().get(scale).f64x2Splat().f64x2Mul().f32x4DemoteZero();
  if (withShift) c.f64x2PromoteLow().get(shift).f64x2Splat().f64x2Add().f32x4DemoteZero();
  c.vstore64Low(0);
  c.get(A).i32(8).add().set(A);
  c.get(OUT).i32(8).add().set(OUT);
  c.get(pairs).i32(1).sub().set(pairs);
  c.br(0).end().end();
  return c;
}

/**
 * axpby(X, Y, OUT, pairs, alpha, beta) in f64x2 lanes, two floats at a time:
 * f32(f32(alpha·x) + f32(beta·y)), the reference's stores (each product, then the sum).
 */
function axpbyCode(): Code {
  const c = new Code(6);
  const [X, Y, OUT, pairs, alpha, beta] = [0, 1, 2, 3, 4, 5];
  c.block().loop();
  c.get(pairs).eqz().brIf(1);
  c.get(OUT);
  c.get(X).vload64Zero(0).f64x2PromoteLow().get(alpha).f64x2Splat().f64x2Mul().f32x4DemoteZero().f64x2PromoteLow();
  c.get(Y).vload64Zero(0).f64x2PromoteLow().get(beta).f64x2Splat().f64x2Mul().f32x4DemoteZero().f64x2PromoteLow();
  c.f64x2Add().f32x4DemoteZero().vstore64Low(0);
  c.get(X).i32(8).add().set(X);
  c.get(Y).i32(8).add().set(Y);
  c.get(OUT).i32(8).add().set(OUT);
  c.get(pairs).i32(1).sub().set(pairs);
  c.br(0).end().end();
  return c;
}

/**
 * sum0(X, n, pairs, ACC): ACC[j] += X[i, j] for every row i in order, j < 2·pairs, in float64
 * (f64x2 lanes, one pair of columns at a time): the reference's column sums, in its order, so its
 * result bit for bit. ACC (2·pairs doubles) is zeroed by the caller.
 */
function sum0Code(): Code {
  const c = new Code(4);
  const [X, n, pairs, ACC] = [0, 1, 2, 3];
  const g = c.local(I32), pa = c.local(I32);
  c.block().loop();
  c.get(n).eqz().brIf(1);
  c.get(ACC).set(pa);
  c.get(pairs).set(g);
  c.block().loop();
  c.get(g).eqz().brIf(1);
  c.get(pa).get(pa).vload(0).get(X).vload64Zero(0).f64x2PromoteLow().f64x2Add().vstore(0);
  c.get(X).i32(8).add().set(X);
  c.get(pa).i32(16).add().set(pa);
  c.get(g).i32(1).sub().set(g);
  c.br(0).end().end();
  c.get(n).i32(1).sub().set(n);
  c.br(0).end().end();
  return c;
}

/**
 * finite(P, n) → 1 when the n floats at P are all finite: x·0 is ±0 for finite x and NaN for NaN
 * or ±∞ (the reference's test), summed in four lanes, the last n mod 4 floats one at a time.
 */
function finiteCode(): Code {
  const c = new Code(2);
  const [P, n] = [0, 1];
  const q = c.local(I32), acc = c.local(V128), s = c.local(F32);
  c.vzero().set(acc);
  c.get(n).i32(2).shr().set(q);
  c.block().loop();
  c.get(q).eqz().brIf(1);
  c.get(acc).get(P).vload(0).vzero().f32x4Mul().f32x4Add().set(acc);
  c.get(P).i32(16).add().set(P);
  c.get(q).i32(1).sub().set(q);
  c.br(0).end().end();
  c.f32(0).set(s);
  c.get(n).i32(3).and().set(q);
  c.block().loop();
  c.get(q).eqz().brIf(1);
  c.get(s).get(P).f32Load(0).f32(0).f32Mul().f32Add().set(s);
  c.get(P).i32(4).add().set(P);
  c.get(q).i32(1).sub().set(q);
  c.br(0).end().end();
  c.get(acc).f32x4ExtractLane(0).get(acc).f32x4ExtractLane(1).f32Add()
    .get(acc).f32x4ExtractLane(2).get(acc).f32x4ExtractLane(3).f32Add().f32Add().get(s).f32Add().f32(0).f32Eq();
  return c;
}

/** The kernel exports (byte addresses; q counts vectors of four floats). */
export interface ElementwiseKernels {
  bin: Record<BinaryFn, (A: number, ars: number, acs: number, B: number, brs: number, bcs: number, OUT: number, n: number, q: number) => void>;
  unary: Record<SimdUnaryFn, (A: number, OUT: number, q: number) => void>;
  where(M: number, A: number, B: number, OUT: number, q: number): void;
  clamp(A: number, OUT: number, q: number, lo: number, hi: number): void;
  between(A: number, OUT: number, q: number, lo: number, hi: number): void;
  affine(A: number, OUT: number, pairs: number, scale: number, shift: number): void;
  scale(A: number, OUT: number, pairs: number, scale: number, shift: number): void;
  axpby(X: number, Y: number, OUT: number, pairs: number, alpha: number, beta: number): void;
  finite(P: number, n: number): number;
  sum0(X: number, n: number, pairs: number, ACC: number): void;
}

const PAGE = 65536;

/** The kernels on a memory of their own, and that memory (grown on demand, never shrunk). */
export class ElementwiseEngine {
  readonly memory: WasmMemory;
  readonly kernels: ElementwiseKernels;
  private f32: Float32Array;

  constructor() {
    const i32 = (k: number) => new Array<number>(k).fill(I32);
    const bytes = assemble(
      [
        ...BINARY.map((fn) => ({ name: `bin_${fn}`, params: i32(9), code: binaryCode(fn) })),
        ...SIMD_UNARY.map((fn) => ({ name: `un_${fn}`, params: i32(3), code: unaryCode(fn) })),
        { name: 'where', params: i32(5), code: whereCode() },
        { name: 'clamp', params: [I32, I32, I32, F32, F32], code: clampCode() },
        { name: 'between', params: [I32, I32, I32, F32, F32], code: betweenCode() },
        { name: 'affine', params: [I32, I32, I32, F64, F64], code: affineCode(true) },
        { name: 'scale', params: [I32, I32, I32, F64, F64], code: affineCode(false) },
        { name: 'axpby', params: [I32, I32, I32, I32, F64, F64], code: axpbyCode() },
        { name: 'finite', params: [I32, I32], results: [I32], code: finiteCode() },
        { name: 'sum0', params: i32(4), code: sum0Code() },
      ],
      { initial: 16, maximum: 65536, shared: false },
    );
    this.memory = new WebAssemblyApi.Memory({ initial: 16, maximum: 65536, shared: false });
    const e = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(bytes), { env: { memory: this.memory } }).exports as unknown as Record<string, never>;
    this.kernels = {
      bin: Object.fromEntries(BINARY.map((fn) => [fn, e[`bin_${fn}`]])) as unknown as ElementwiseKernels['bin'],
      unary: Object.fromEntries(SIMD_UNARY.map((fn) => [fn, e[`un_${fn}`]])) as unknown as ElementwiseKernels['unary'],
      where: e.where, clamp: e.clamp, between: e.between, affine: e.affine, scale: e.scale, axpby: e.axpby, finite: e.finite, sum0: e.sum0,
    };
    this.f32 = new Float32Array(this.memory.buffer);
  }

  /** Byte offsets of consecutive 64-aligned regions of the given float counts, the memory grown to hold them. */
  regions(...floats: number[]): number[] {
    let top = 64;
    const at = floats.map((f) => { const o = top; top += Math.ceil((f * 4 + 16) / 64) * 64; return o; });
    const have = this.memory.buffer.byteLength;
    if (top > have) this.memory.grow(Math.ceil((top - have) / PAGE));
    if (this.f32.buffer !== this.memory.buffer) this.f32 = new Float32Array(this.memory.buffer);
    return at;
  }

  /** Copies `data` to byte offset `at`, zero-padded to a multiple of 4 floats. */
  put(data: ArrayLike<number>, at: number): void {
    const o = at >> 2;
    this.f32.set(data, o);
    this.f32.fill(0, o + data.length, o + ((data.length + 3) & ~3));
  }

  /** Writes each of `data`'s values 4 times from byte offset `at` (a vector per value: stride-0 columns). */
  putSplat(data: ArrayLike<number>, at: number): void {
    const o = at >> 2;
    for (let i = 0; i < data.length; i++) this.f32.fill(data[i], o + 4 * i, o + 4 * i + 4);
  }

  /** A view of `size` doubles at byte offset `at` (8-aligned; valid until the next `regions`). */
  view64(at: number, size: number): Float64Array {
    return new Float64Array(this.memory.buffer, at, size);
  }

  /** A view of `size` floats at byte offset `at` (valid until the next `regions`). */
  view(at: number, size: number): Float32Array {
    return this.f32.subarray(at >> 2, (at >> 2) + size);
  }
}

let engine: ElementwiseEngine | undefined;

/** The process-wide engine (compiled on first use). */
export function elementwiseEngine(): ElementwiseEngine {
  return (engine ??= new ElementwiseEngine());
}
