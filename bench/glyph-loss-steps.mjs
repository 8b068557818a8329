#!/usr/bin/env node
// Median training step of each glyph loss at the full settings (GLYPHS_SETTINGS.full: batch 128,
// 16×16 = 256 pixels → 256 → 64, C = 2,000 training identities) on the wasm backend, through the
// same `train` and heads as `arcgrad demo` (src/demo/glyphs.ts), on synthetic images (13 per
// identity, as the 13 training fonts give): the step's cost does not depend on the pixels.
// Alternating rounds (every loss once per round, in turn), so that a change of the machine's load
// falls on all losses alike; each run skips its first WARMUP steps.
// Run after `npm run build`: node bench/glyph-loss-steps.mjs [rounds=3] [steps=12]
// Profile one loss instead (time per step in each backend method, as bench/profile-train-step.mjs):
//   node bench/glyph-loss-steps.mjs --profile inter
import { cpus, loadavg } from 'node:os';
import { createBackend } from '../dist/backend/select.js';
import { shutdownFastPool } from '../dist/backend/wasm/pool.js';
import { cpu } from '../dist/backend/cpu.js';
import { GLYPHS_SETTINGS, glyphsIdentityBatches, glyphsRunConfig } from '../dist/demo/glyphs.js';
import { makeHead } from '../dist/demo/losses.js';
import { MLP } from '../dist/nn/mlp.js';
import { sgd } from '../dist/optim/sgd.js';
import { Random } from '../dist/tensor/random.js';
import { train } from '../dist/train/loop.js';

const profiled = process.argv[2] === '--profile' ? process.argv[3] : undefined;
const rounds = profiled === undefined ? Number(process.argv[2] ?? 3) : 1;
const steps = profiled === undefined ? Number(process.argv[3] ?? 12) : 10;
const WARMUP = 2;
const LOSSES = ['softmax', 'normface', 'sphereface', 'cosface', 'arcface', 'combined', 'intra', 'inter', 'triplet'];
const s = { ...GLYPHS_SETTINGS.full, losses: LOSSES };
const classes = s.trainIdentities;
const perIdentity = 13;
const rows = classes * perIdentity;
const rng = new Random(0);
const x = cpu.fromArray(Float64Array.from({ length: rows * 256 }, () => rng.uniform()), [rows, 256], 'float64');
const labels = Array.from({ length: rows }, (_, i) => i % classes);
const backend = await createBackend(s.backend);

function stepTimes(loss) {
  const config = glyphsRunConfig(s, loss, 0);
  const head = makeHead(config.loss, classes, s.embedding, new Random(1), Math.floor(rows / s.batchSize));
  const batches = glyphsIdentityBatches(config.loss, s.batchSize);
  const times = [];
  let last = performance.now();
  try {
    train({
      backbone: new MLP({ inFeatures: 256, hidden: s.hidden, embedding: s.embedding, activation: 'prelu' }),
      head: head.init,
      headLoss: (e, h, y) => head.loss(e, h, y, times.length + 1),
      ...(head.state === undefined ? {} : { headState: head.state }),
      ...(batches === undefined ? {} : { identityBatches: batches }),
      data: { x, labels },
      backend,
      epochs: 1,
      batchSize: s.batchSize,
      optimizer: sgd({ lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }),
      seed: 0,
      onProgress: (p) => {
        const now = performance.now();
        times.push(now - last);
        last = now;
        if (p.step >= WARMUP + steps) throw new Error('enough');
      },
    });
  } catch (e) {
    if (e.message !== 'enough') throw e;
  }
  return times.slice(WARMUP);
}

if (profiled !== undefined) {
  const spent = {};
  for (let proto = Object.getPrototypeOf(backend); proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const k of Object.getOwnPropertyNames(proto)) {
      const f = proto[k];
      if (k === 'constructor' || typeof f !== 'function' || Object.hasOwn(backend, k)) continue;
      backend[k] = function (...a) { const t0 = performance.now(); try { return f.apply(this, a); } finally { (spent[k] ??= [0, 0])[0] += performance.now() - t0; spent[k][1]++; } };
    }
  }
  const times = stepTimes(profiled);
  const total = times.reduce((a, b) => a + b, 0) / times.length;
  const ms = (t) => ((t * steps) / (WARMUP + steps) / steps).toFixed(2); // the counters include the warm-up steps: scaled to the measured ones
  console.log(`${profiled}: ${total.toFixed(1)} ms per step; outermost backend methods (nested calls counted in each), ms per step:`);
  for (const [k, [t, n]] of Object.entries(spent).sort((a, b) => b[1][0] - a[1][0]).slice(0, 14)) console.log(`  ${k.padEnd(24)} ${ms(t / 1)} ms  ${(n / (WARMUP + steps)).toFixed(0)} calls`);
  shutdownFastPool();
  process.exit(0);
}

const median = (v) => { const a = [...v].sort((p, q) => p - q); return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2; };
console.log(`machine: ${cpus()[0].model}, ${cpus().length} cores; load before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${rounds} rounds × ${steps} steps (after ${WARMUP} warm-up) per loss; backend ${backend.name}`);
const all = Object.fromEntries(LOSSES.map((l) => [l, []]));
for (let r = 0; r < rounds; r++) for (const loss of LOSSES) all[loss].push(...stepTimes(loss));
const arc = median(all.arcface);
console.log('| Loss | median step (ms) | × ArcFace |\n|---|---:|---:|');
for (const loss of LOSSES) console.log(`| ${loss} | ${median(all[loss]).toFixed(1)} | ${(median(all[loss]) / arc).toFixed(2)} |`);
console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
shutdownFastPool();
