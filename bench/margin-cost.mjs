#!/usr/bin/env node
// The papers' claim that the margin costs almost nothing, timed: one forward + backward of the
// margin head (ArcFace s = 64, m2 = 0.5, exact gradient) against NormFace (s = 64, no margin) at
// the same shape, alternating in one process (round r runs both, the order flipping every round),
// the median of each and their ratio. Two paths: arcgrad's tape (float64, CPU reference backend)
// at (N, d, C) = (64, 128, 1000), and the fused float32 head fastMarginHead at (128, 512, 10000).
// The margin adds O(N) work (one acos, cos and sin per row) to the O(N·d·C) of the three products.
// Run: npm run build && node bench/margin-cost.mjs   (settings fixed here, before the first run)
import { cpus, loadavg } from 'node:os';
import { Random, arcface, fastMarginHeadArrays, normface, randomNormal, shutdownFastPool, valueAndGrad } from '../dist/index.js';

const ROUNDS = { tape: 15, fused: 15 };
const median = (v) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

function contestants(path, [n, d, c]) {
  const rng = new Random(7);
  const x = randomNormal([n, d], rng);
  const w = randomNormal([c, d], rng);
  const labels = Array.from({ length: n }, (_, i) => (i * 7919) % c);
  if (path === 'tape') {
    return [arcface(), normface()].map((head) => {
      const step = valueAndGrad((a, b) => head.loss(a, b, labels));
      return { name: head.name, run: () => step(x, w) };
    });
  }
  const [xa, wa] = [Float32Array.from(x.toTypedArray()), Float32Array.from(w.toTypedArray())];
  return [arcface(), normface()].map((head) => ({ name: head.name, run: () => fastMarginHeadArrays(xa, wa, labels, n, d, c, head.options) }));
}

function time(path, shape) {
  const [margin, plain] = contestants(path, shape);
  for (const c of [margin, plain]) c.run(); // warm-up (JIT, kernels, pool)
  const times = { [margin.name]: [], [plain.name]: [] };
  for (let r = 0; r < ROUNDS[path]; r++) {
    for (const c of r % 2 ? [plain, margin] : [margin, plain]) {
      const t0 = performance.now();
      c.run();
      times[c.name].push(performance.now() - t0);
    }
  }
  const [m, p] = [median(times[margin.name]), median(times[plain.name])];
  return { path, shape: shape.join('×'), arcfaceMs: m, normfaceMs: p, ratio: m / p };
}

console.log(`${cpus()[0].model}, ${cpus().length} cores, load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`);
console.log('| path | (N, d, C) | ArcFace ms (median) | NormFace ms (median) | ArcFace / NormFace |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const [path, shape] of [['tape', [64, 128, 1000]], ['fused', [128, 512, 10000]]]) {
  const r = time(path, shape);
  console.log(`| ${r.path} | ${r.shape} | ${r.arcfaceMs.toFixed(2)} | ${r.normfaceMs.toFixed(2)} | ${r.ratio.toFixed(3)} |`);
}
console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
await shutdownFastPool();
