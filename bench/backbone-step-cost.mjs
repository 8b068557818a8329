#!/usr/bin/env node
// The training-step cost of the glyph backbones on the wasm backend: {MLP, ConvNet} × {16×16, 32×32}
// with the default run's head (2,000 classes, embedding 64, batch 128) and optimizer, measured in
// alternating rounds so that the shared machine's load hits every contestant alike. Each
// measurement times steps WARM+1 … WARM+STEPS of a real `trainGlyphsRun` (ArcFace, s = 64) and
// then stops it. Run after `npm run build` (the 32×32 data set renders into its own cache folder
// on first use, ~30 s):
//   node bench/backbone-step-cost.mjs [rounds=2] [steps=30] [conv widths, e.g. 8,16]
import { GLYPHS_SETTINGS, glyphsSets, trainGlyphsRun } from '../dist/demo/glyphs.js';
import { loadGlyphs } from '../dist/data/glyphs.js';
import { selectBackend } from '../dist/backend/select.js';
import { shutdownFastPool } from '../dist/backend/wasm/pool.js';
import { cpus, loadavg } from 'node:os';

const rounds = Number(process.argv[2] ?? 2);
const STEPS = Number(process.argv[3] ?? 30);
const convWidths = (process.argv[4] ?? '8,16').split(',').map(Number);
const WARM = 5;
const { backend } = await selectBackend('wasm');
const contestants = [
  { name: 'mlp 16×16', size: 16, backbone: 'mlp', hidden: GLYPHS_SETTINGS.full.hidden },
  { name: `conv ${convWidths} 16×16`, size: 16, backbone: 'conv', hidden: convWidths },
  { name: 'mlp 32×32', size: 32, backbone: 'mlp', hidden: GLYPHS_SETTINGS.full.hidden },
  { name: `conv ${convWidths} 32×32`, size: 32, backbone: 'conv', hidden: convWidths },
];
const sets = {};
for (const size of [16, 32]) {
  const s = { ...GLYPHS_SETTINGS.full, data: { ...GLYPHS_SETTINGS.full.data, size } };
  sets[size] = glyphsSets(s, loadGlyphs({ fonts: 'full', spec: s.data }));
}
class Stop extends Error {}
console.log(`${cpus()[0].model}, ${cpus().length} cores; load average at start ${loadavg().map((v) => v.toFixed(2)).join(' ')}; backend ${backend.name}; ${STEPS} timed steps after ${WARM}, ${rounds} alternating rounds`);
const ms = Object.fromEntries(contestants.map((c) => [c.name, []]));
for (let r = 0; r < rounds; r++) {
  for (const c of contestants) {
    const s = { ...GLYPHS_SETTINGS.full, data: { ...GLYPHS_SETTINGS.full.data, size: c.size }, backbone: c.backbone, hidden: c.hidden, epochs: 1 };
    let t0 = 0;
    const progress = () => ({
      update(done) {
        if (done === WARM) t0 = performance.now();
        if (done === WARM + STEPS) { ms[c.name].push((performance.now() - t0) / STEPS); throw new Stop(); }
      },
      finish() {},
    });
    try { trainGlyphsRun(s, sets[c.size], 'arcface', 0, backend, progress); } catch (e) { if (!(e instanceof Stop)) throw e; }
  }
}
const base = (size) => ms[contestants.find((c) => c.backbone === 'mlp' && c.size === size).name];
for (const c of contestants) {
  const v = ms[c.name];
  const ratio = v.map((x, i) => x / base(c.size)[i]);
  console.log(`${c.name.padEnd(22)} ${v.map((x) => x.toFixed(1)).join(' / ')} ms/step   × MLP at this size: ${ratio.map((x) => x.toFixed(2)).join(' / ')}`);
}
console.log(`load average at end ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
shutdownFastPool();
