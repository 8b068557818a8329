#!/usr/bin/env node
// The same product as bench/numpy-matmul.py on arcgrad's wasm backend, for docs/benchmarks.md:
// C = A·B with A 128×512 and B 512×10,000, float32, through Backend.matmul (copy in, pack B,
// SIMD gemm, copy out), on 1 and 2 threads; median and minimum of 31 products after 3 warm-ups.
// Run after `npm run build`: node bench/wasm-matmul.mjs
import { WasmBackend } from '../dist/backend/wasm/backend.js';
import { shutdownFastPool } from '../dist/backend/wasm/pool.js';
import { Random } from '../dist/tensor/random.js';

const [n, k, m] = [128, 512, 10_000];
const r = new Random(0);
const a = Float32Array.from({ length: n * k }, () => r.normal());
const b = Float32Array.from({ length: k * m }, () => r.normal());
for (const threads of [1, 2]) {
  const be = new WasmBackend({ threads });
  const A = be.fromArray(a, [n, k], 'float32'), B = be.fromArray(b, [k, m], 'float32');
  for (let i = 0; i < 3; i++) be.matmul(A, B, false, false);
  const ts = [];
  for (let i = 0; i < 31; i++) {
    const t0 = performance.now();
    be.matmul(A, B, false, false);
    ts.push(performance.now() - t0);
  }
  ts.sort((x, y) => x - y);
  const gf = (ms) => ((2 * n * k * m) / (ms * 1e6)).toFixed(1);
  console.log(`wasm backend, ${threads} thread${threads > 1 ? 's' : ''}: median ${ts[15].toFixed(2)} ms = ${gf(ts[15])} GFLOP/s; min ${ts[0].toFixed(2)} ms = ${gf(ts[0])} GFLOP/s`);
}
shutdownFastPool();
