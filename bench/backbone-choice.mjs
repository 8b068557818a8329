#!/usr/bin/env node
// Chooses the glyph benchmark's default backbone and image size on the VALIDATION identities (the
// characters the split leaves unused), never on the unseen ones: every contestant of the settings
// file (bench/glyphs-backbone.json) is trained with every loss and seed of its `base` settings and
// evaluated with the unseen-identity protocol on the validation set. Runs go seed by seed, so a
// stopped measurement holds whole seeds; each finished run is appended to DIR/results.json (written
// to a temporary file and renamed) and reused when the command is run again with the same settings.
// Prints one line per run, then the criterion (mean validation rank-1) per contestant and each
// contestant's paired difference to the baseline with its 95 % interval.
//   npm run build && node bench/backbone-choice.mjs bench/glyphs-backbone.json out/backbone-choice
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { evaluateGlyphsSet, glyphsSets, trainGlyphsModel, validateGlyphsSettings } from '../dist/demo/glyphs.js';
import { loadGlyphs, writeFileAtomic } from '../dist/data/glyphs.js';
import { pairedDifference } from '../dist/eval/paired.js';
import { selectBackend } from '../dist/backend/select.js';
import { shutdownFastPool } from '../dist/backend/wasm/pool.js';

const [file, dir] = [process.argv[2] ?? 'bench/glyphs-backbone.json', process.argv[3] ?? 'out/backbone-choice'];
const spec = JSON.parse(readFileSync(file, 'utf8'));
const base = validateGlyphsSettings(spec.base, `${file}: base`);
const settingsOf = (c) => validateGlyphsSettings({ ...base, data: { ...base.data, size: c.size }, backbone: c.backbone, hidden: c.hidden }, `${file}: ${c.name}`);
mkdirSync(dir, { recursive: true });
const resultsPath = join(dir, 'results.json');
const key = JSON.stringify({ base: spec.base, contestants: spec.contestants });
const saved = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : null;
const runs = saved?.key === key ? saved.runs : [];
const started = performance.now();
console.log(`${new Date().toISOString()} ${cpus()[0].model}, ${cpus().length} cores, load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}; ${runs.length} runs reused from ${resultsPath}`);

const { backend, reason } = await selectBackend(base.backend);
console.log(`backend ${backend.name}: ${reason}`);
const sets = {};
for (const c of spec.contestants) {
  const s = settingsOf(c);
  if (sets[c.size] === undefined) {
    sets[c.size] = glyphsSets(s, loadGlyphs({ fonts: s.fonts, spec: s.data }));
    const v = sets[c.size].validation;
    console.log(`${c.size}×${c.size}: ${sets[c.size].train.count} training images; validation ${sets[c.size].split.validation.length} identities, ${v.count} images`);
  }
}

for (const seed of base.seeds) {
  for (const loss of base.losses) {
    for (const c of spec.contestants) {
      if (runs.some((r) => r.contestant === c.name && r.loss === loss && r.seed === seed)) continue;
      const s = settingsOf(c);
      const t = trainGlyphsModel(s, sets[c.size], loss, seed, backend);
      const t0 = performance.now();
      const report = evaluateGlyphsSet(s, t, sets[c.size].validation, 'validation', backend);
      const run = {
        contestant: c.name, loss, seed, steps: t.steps, trainSeconds: t.trainSeconds, msPerStep: (1000 * t.trainSeconds) / t.steps,
        evalSeconds: (performance.now() - t0) / 1000, finalLoss: t.lossCurve.at(-1),
        validation: { rank1: report.identification.rank1, verification: report.verification.accuracy.mean, tarAtFar: report.allPairs.points.map((p) => [p.target, p.tar]) },
        loadAverage: loadavg()[0],
      };
      runs.push(run);
      writeFileAtomic(resultsPath, JSON.stringify({ key, settingsFile: file, runs }, null, 2));
      console.log(`${c.name.padEnd(14)} ${loss.padEnd(8)} seed ${seed}: validation rank-1 ${(100 * run.validation.rank1).toFixed(2)} %, verification ${(100 * run.validation.verification).toFixed(2)} %, ` +
        `final loss ${run.finalLoss.toFixed(3)}; ${run.msPerStep.toFixed(0)} ms/step, train ${run.trainSeconds.toFixed(0)} s, eval ${run.evalSeconds.toFixed(0)} s; load ${run.loadAverage.toFixed(1)}; ${((performance.now() - started) / 60000).toFixed(1)} min so far`);
    }
  }
}

const pick = (name) => runs.filter((r) => r.contestant === name).sort((a, b) => a.seed - b.seed || a.loss.localeCompare(b.loss));
const pct = (v) => (100 * v).toFixed(2);
console.log(`\nwall clock ${((performance.now() - started) / 60000).toFixed(1)} min this invocation; load average at end ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log('\n| Contestant | mean validation rank-1 % (criterion) | per (loss, seed) | mean verification % | ms/step (median) | − baseline, rank-1 points [95 % interval] |');
console.log('| --- | ---: | --- | ---: | ---: | ---: |');
const baseRuns = pick(spec.baseline);
for (const c of spec.contestants) {
  const r = pick(c.name);
  const mean = (f) => r.reduce((s, x) => s + f(x), 0) / r.length;
  const ms = r.map((x) => x.msPerStep).sort((a, b) => a - b)[Math.floor(r.length / 2)];
  const d = c.name === spec.baseline ? null : pairedDifference(r.map((x) => 100 * x.validation.rank1), baseRuns.map((x) => 100 * x.validation.rank1));
  console.log(`| ${c.name} | ${pct(mean((x) => x.validation.rank1))} | ${r.map((x) => `${x.loss} s${x.seed}: ${pct(x.validation.rank1)}`).join(', ')} | ${pct(mean((x) => x.validation.verification))} | ${ms.toFixed(0)} | ${d === null ? '—' : `${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(2)} [${d.low.toFixed(2)}, ${d.high.toFixed(2)}]`} |`);
}
shutdownFastPool();
