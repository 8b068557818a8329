#!/usr/bin/env node
/**
 * The Markdown tables of docs/glyphs.md and the README from a glyphs run's results.json
 * (`node scripts/glyphs-tables.mjs out/bench-glyphs/results.json`), so that no number in those
 * pages is copied by hand: the main table (means over seeds), unseen rank-1 per seed with mean
 * θ_y, and the paired differences against Softmax and against NormFace with their 95 % intervals.
 * `--readme` prints only the README's shorter table.
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const path = args.find((a) => !a.startsWith('--'));
if (path === undefined) {
  console.error('usage: node scripts/glyphs-tables.mjs RESULTS.json [--readme]');
  process.exit(2);
}
const r = JSON.parse(readFileSync(path, 'utf8'));
const pct = (v) => (100 * v).toFixed(2);
const signed = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(2)}`;
const row = (cells) => `| ${cells.join(' | ')} |`;
const fars = Object.keys(r.losses[0].unseen.tarAtFar);
const name = (l) => (l.params ? `${l.label} (${l.params})` : l.label);
const cells = (w) => [`${pct(w.verification.mean)} ± ${pct(w.verification.std)}`, ...fars.map((f) => pct(w.tarAtFar[f])), pct(w.rank1)];
const raw = { label: 'Raw pixels (no training)', params: '', unseen: r.rawPixels.unseen, heldOutFonts: r.rawPixels.heldOutFonts };

function mainTable(short) {
  const block = (where) => [`${where}: verif. % (10-fold ± std)`, ...fars.map((f) => `${where}: TAR@FAR=${f} %`), `${where}: rank-1 %`];
  const head = short ? ['Loss', ...block('Unseen'), 'Held-out fonts: rank-1 %'] : ['Loss', ...block('Unseen'), ...block('Held-out fonts'), 'Mean θ_y (°)'];
  const lines = [row(head), row(head.map((_, i) => (i === 0 ? '---' : '---:')))];
  for (const l of [...r.losses, raw]) {
    const theta = l.meanThetaDegrees === undefined ? '—' : l.meanThetaDegrees.some((t) => t === null) ? '—' : (l.meanThetaDegrees.reduce((a, b) => a + b, 0) / l.meanThetaDegrees.length).toFixed(1);
    lines.push(row(short ? [name(l), ...cells(l.unseen), pct(l.heldOutFonts.rank1)] : [name(l), ...cells(l.unseen), ...cells(l.heldOutFonts), theta]));
  }
  return lines.join('\n');
}

function perSeedTable() {
  const seeds = r.settings.seeds;
  const head = ['Loss', ...seeds.map((s) => `Unseen rank-1 %, seed ${s}`), ...seeds.map((s) => `Mean θ_y (°), seed ${s}`), ...seeds.map((s) => `Final train loss, seed ${s}`)];
  const lines = [row(head), row(head.map((_, i) => (i === 0 ? '---' : '---:')))];
  for (const l of r.losses) {
    const rank = seeds.map((s) => pct(l.unseen.perSeed.find((p) => p.seed === s).rank1));
    const theta = seeds.map((_, i) => (l.meanThetaDegrees[i] === null ? '—' : l.meanThetaDegrees[i].toFixed(1)));
    const loss = seeds.map((_, i) => l.lossCurves[i].at(-1).toFixed(3));
    lines.push(row([name(l), ...rank, ...theta, ...loss]));
  }
  return lines.join('\n');
}

function pairedTable(baseline) {
  const entries = r.losses.filter((l) => l.paired[`vs ${baseline}`] !== undefined);
  if (entries.length === 0) return '';
  const measures = entries[0].paired[`vs ${baseline}`].map((p) => p.measure);
  const base = r.losses.find((l) => (l.id ?? l.name) === baseline);
  const head = ['Difference', ...measures];
  const lines = [row(head), row(head.map((_, i) => (i === 0 ? '---' : '---:')))];
  for (const l of entries) {
    lines.push(row([`${l.label} − ${base.label}`, ...l.paired[`vs ${baseline}`].map(({ difference: d }) => `${signed(d.mean)} [${signed(d.low)}, ${signed(d.high)}]`)]));
  }
  return lines.join('\n');
}

if (args.includes('--readme')) {
  console.log(mainTable(true));
} else {
  console.log(`<!-- node scripts/glyphs-tables.mjs ${path} -->\n`);
  console.log(`${mainTable(false)}\n\nPer seed:\n\n${perSeedTable()}\n`);
  for (const b of ['softmax', 'normface']) {
    const t = pairedTable(b);
    if (t !== '') console.log(`Paired differences against ${b === 'softmax' ? 'Softmax' : 'NormFace'} (points; mean over seeds ${r.settings.seeds.join(', ')}, 95 % Student-t interval):\n\n${t}\n`);
  }
}
