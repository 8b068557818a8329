/**
 * The fast path's one matrix kernel, emitted as WebAssembly SIMD by the assembler in wasm-asm.ts:
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
import { Code, I32, V128, assemble } from './wasm-asm.js';
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

/** Largest memory the kernels' module may grow to, in 64 KiB pages (4 GiB: wasm32's limit). */
export const MAX_PAGES = 65536;

let cached: WasmModule | undefined;

/** The compiled kernel module (imports a shared `env.memory`), compiled once per process. */
export function kernelModule(): WasmModule {
  cached ??= new WebAssemblyApi.Module(
    assemble([{ name: 'gemm', params: new Array<number>(12).fill(I32), code: gemmCode() }], { initial: 1, maximum: MAX_PAGES, shared: true }),
  );
  return cached;
}

/** The kernel exports, as instantiated on one memory. */
export interface Kernels {
  gemm(M: number, Nc: number, K: number, A: number, ars: number, aks: number, B: number, ldb: number, bps: number, C: number, ldc: number, acc: number): void;
}

/** Instantiates the kernels on `memory` (a shared WebAssembly.Memory). */
export function instantiateKernels(memory: WasmMemory): Kernels {
  return new WebAssemblyApi.Instance(kernelModule(), { env: { memory } }).exports as unknown as Kernels;
}
