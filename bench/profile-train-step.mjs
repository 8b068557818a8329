#!/usr/bin/env node
// Where one `train` step of `arcgrad bench` spends its time, per Backend method: every method of
// the wasm backend (and the CPU backend it inherits from) timed, ten steps after three warm-ups.
// Run after `npm run build`: node bench/profile-train-step.mjs tape-wasm-1t  (or tape-wasm, tape-cpu)
import { trainContestants, trainProblem } from '../dist/bench/toy.js';
import { WasmBackend } from '../dist/backend/wasm/backend.js';
import { shutdownFastPool } from '../dist/backend/wasm/pool.js';
const acc = {};
const proto = Object.getPrototypeOf(WasmBackend.prototype);
for (const cls of [WasmBackend.prototype, proto]) for (const k of Object.getOwnPropertyNames(cls)) {
  if (k === 'constructor' || typeof cls[k] !== 'function') continue;
  const f = cls[k];
  if (k === 'data' || k === 'nd' || k === 'wrap' || k === 'empty' || k === 'output' || k === 'assertFloat32' || k === 'broadcastView') continue;
  cls[k] = function (...a) { const t0 = performance.now(); try { return f.apply(this, a); } finally { const d = performance.now() - t0; (acc[k] ??= [0, 0]); acc[k][0] += d; acc[k][1]++; } };
}
const c = trainContestants.find((c) => c.name === process.argv[2]);
const prep = await c.prepare(trainProblem());
for (let i = 0; i < 3; i++) prep.step();
for (const k in acc) delete acc[k];
const t0 = performance.now(); const u0 = process.cpuUsage();
for (let i = 0; i < 10; i++) prep.step();
const u = process.cpuUsage(u0);
console.log(process.argv[2], ((performance.now() - t0) / 10).toFixed(1), 'ms wall', ((u.user + u.system) / 1e4).toFixed(1), 'ms cpu');
for (const [k, [t, n]] of Object.entries(acc).sort((a, b) => b[1][0] - a[1][0]).slice(0, 18)) console.log(k.padEnd(22), (t / 10).toFixed(2), 'ms/step', n / 10, 'calls/step');
shutdownFastPool();
