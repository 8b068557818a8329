/**
 * Matmul throughput of the gpu.js backend (all four transpose variants) against the CPU float64
 * reference, median of a few repeats, in GFLOP/s (2·n·k·m flops per product). Not a test: run
 * after compiling: `npx tsc -p tsconfig.json --outDir out && node out/bench/gpujs.js [size] [names…]`.
 */
import type { Backend } from '../src/backend/backend.js';
import { cpu } from '../src/backend/cpu.js';
import { selectBackend } from '../src/backend/select.js';

const REPEATS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** GFLOP/s of `backend.matmul` on n×n operands, including the read-back of the result. */
function matmulGflops(backend: Backend, n: number, transA: boolean, transB: boolean): number {
  const dtype = backend === cpu ? 'float64' : 'float32';
  const data = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
  const a = backend.fromArray(data, [n, n], dtype);
  const b = backend.fromArray(data, [n, n], dtype);
  backend.read(backend.matmul(a, b, transA, transB)); // compile and warm up
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    backend.read(backend.matmul(a, b, transA, transB));
    times.push(performance.now() - t0);
  }
  return (2 * n ** 3) / (median(times) * 1e6);
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 256);
  const names = process.argv.slice(3).length > 0 ? process.argv.slice(3) : ['cpu', 'gpu.js:webasm', 'gpu.js:cpu'];
  for (const name of names) {
    const { backend, reason } = await selectBackend(name);
    const cells = [[false, false], [false, true], [true, false], [true, true]].map(
      ([tA, tB]) => `${tA ? 'Aᵀ' : 'A'}·${tB ? 'Bᵀ' : 'B'} ${matmulGflops(backend, n, tA, tB).toFixed(2)}`,
    );
    console.log(`${backend.name.padEnd(14)} n=${n} GFLOP/s (median of ${REPEATS}): ${cells.join('  ')}   [${reason}]`);
  }
}

await main();
