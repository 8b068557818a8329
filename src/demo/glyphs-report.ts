/**
 * The report of a glyphs run: one table (each loss on the unseen identities and on the held-out
 * fonts, raw pixels last), the ROC curves from all pairs, the training-loss curves, the final θ_y
 * histograms, and notes stating the data, the protocol and the machine. Sentences that compare
 * losses are computed from the numbers.
 */
import type { OpenSetReport } from '../eval/open-set.js';
import { angleHistogramFigure, rocFigure } from '../report/figures.js';
import type { ReportFigure, ReportInput, ReportTable } from '../report/report.js';
import { renderVegaLite } from '../report/vega.js';
import type { TopLevelSpec } from 'vega-lite';
import { farKey, glyphsLossIds, glyphsLossLabel, pairedAgainst, type GlyphsResults, type GlyphsRun } from './glyphs.js';
import { shortLossParams } from './losses.js';
import type { RunContext } from './report.js';

const pct = (v: number) => (100 * v).toFixed(2);

function meanOf(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The cells of one protocol report: verification ± std, TAR at each FAR, rank-1 (means over `reports`). */
function protocolCells(reports: OpenSetReport[], fars: readonly number[]): string[] {
  const verification = meanOf(reports.map((r) => r.verification.accuracy.mean));
  const std = meanOf(reports.map((r) => r.verification.accuracy.std));
  const tars = fars.map((_, i) => pct(meanOf(reports.map((r) => r.allPairs.points[i].tar))));
  return [`${pct(verification)} ± ${pct(std)}`, ...tars, pct(meanOf(reports.map((r) => r.identification.rank1)))];
}

/** The results table: one row per loss (means over its seeds), raw pixels last. */
export function glyphsTable(r: GlyphsResults): ReportTable {
  const fars = r.settings.fars;
  const block = (where: string) => [`${where}: verif. % (10-fold ± std)`, ...fars.map((f) => `${where}: TAR@FAR=${farKey(f)} %`), `${where}: rank-1 %`];
  const columns = ['Loss', 'Hyper-parameters', 'Seeds', ...block('Unseen'), ...block('Held-out fonts'), 'Mean θ_y (°)', 'Train time (s)'];
  const label = (id: string) => glyphsLossLabel(r.settings, id);
  const rows = glyphsLossIds(r.settings).map((loss) => {
    const runs = r.runs.filter((x) => x.loss === loss);
    const withAngles = runs.filter((x) => x.angles.length > 0); // the triplet has no class centers, so no θ_y
    return [
      label(loss),
      shortLossParams(runs[0].config.loss),
      runs.length,
      ...protocolCells(runs.map((x) => x.unseen), fars),
      ...protocolCells(runs.map((x) => x.heldOut), fars),
      withAngles.length === 0 ? '—' : (meanOf(withAngles.map((x) => meanOf(Array.from(x.angles)))) * (180 / Math.PI)).toFixed(1),
      meanOf(runs.map((x) => x.trainSeconds)).toFixed(1),
    ];
  });
  rows.push(['Raw pixels (no training)', `${r.dataset.imageSize}×${r.dataset.imageSize} pixels`, '—', ...protocolCells([r.rawPixels.unseen], fars), ...protocolCells([r.rawPixels.heldOut], fars), '—', '—']);
  return { columns, rows };
}

/** Mean training loss per epoch, one line per (loss, seed). */
async function lossCurveFigure(runs: readonly GlyphsRun[], label: (id: string) => string): Promise<string> {
  const order = [...new Set(runs.map((x) => label(x.loss)))];
  const values = runs.flatMap((x) => x.lossCurve.map((loss, e) => ({ loss: label(x.loss), seed: `seed ${x.seed}`, epoch: e + 1, value: loss })));
  // One panel per loss, a line per seed: a failing seed stands out beside its siblings. symlog, not
  // log: losses span 0.05–60 and NormFace + Inter's goes negative (it subtracts an angle term).
  return renderVegaLite({
    title: 'Training loss (mean per epoch), one panel per loss',
    data: { values },
    facet: { field: 'loss', type: 'nominal', title: null, sort: order },
    columns: Math.min(3, order.length),
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 220,
      height: 130,
      mark: { type: 'line', point: { size: 12 } },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative', title: 'loss', scale: { type: 'symlog' } },
        color: { field: 'seed', type: 'nominal', title: null },
      },
    },
  } as TopLevelSpec);
}

/** The report of `r`. */
export async function glyphsReport(r: GlyphsResults, ctx: RunContext): Promise<ReportInput> {
  const firstSeed = r.settings.seeds[0];
  const lossLabel = (id: string) => glyphsLossLabel(r.settings, id);
  const shown = r.runs.filter((x) => x.seed === firstSeed);
  const roc = (pick: (x: GlyphsRun) => OpenSetReport, raw: OpenSetReport) => [
    ...shown.map((x) => ({ name: lossLabel(x.loss), far: pick(x).allPairs.roc.far, tar: pick(x).allPairs.roc.tar })),
    { name: 'Raw pixels', far: raw.allPairs.roc.far, tar: raw.allPairs.roc.tar },
  ];
  const figures: ReportFigure[] = [
    {
      file: 'roc-unseen.svg',
      title: 'ROC on the unseen identities (all pairs)',
      svg: await rocFigure(roc((x) => x.unseen, r.rawPixels.unseen), { title: 'ROC, unseen identities, all pairs', minFar: 1e-5 }),
      caption: `Seed ${firstSeed}. ${r.rawPixels.unseen.allPairs.genuine} genuine and ${r.rawPixels.unseen.allPairs.impostor} impostor pairs; the curve is read at 2,000 evenly spaced cosine thresholds, the table's TAR@FAR exactly.`,
    },
    {
      file: 'roc-held-out-fonts.svg',
      title: 'ROC on the held-out fonts of the training identities (all pairs)',
      svg: await rocFigure(roc((x) => x.heldOut, r.rawPixels.heldOut), { title: 'ROC, held-out fonts, all pairs', minFar: 1e-5 }),
    },
    { file: 'loss-curves.svg', title: 'Training loss', svg: await lossCurveFigure(r.runs, lossLabel) },
    {
      file: 'theta-y.svg',
      title: 'Target angles θ_y of the training images at the end of training',
      svg: await angleHistogramFigure(shown.filter((x) => x.angles.length > 0).map((x) => ({ stage: lossLabel(x.loss), angles: x.angles })), { title: `θ_y at the end of training (seed ${firstSeed})` }),
      caption: `A loss that did not converge keeps θ_y near 90° (random directions in the embedding space).${shown.some((x) => x.angles.length === 0) ? ' The angular triplet has no class centers, so no θ_y.' : ''}`,
    },
  ];
  const d = r.dataset;
  const s = r.settings;
  const ids = glyphsLossIds(s);
  const best = (key: (x: GlyphsRun) => number) => {
    const scores = ids.map((loss) => ({ loss, v: meanOf(r.runs.filter((x) => x.loss === loss).map(key)) }));
    return scores.reduce((a, b) => (b.v > a.v ? b : a));
  };
  const bestRank = best((x) => x.unseen.identification.rank1);
  const points = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(100 * v).toFixed(2)}`;
  const paired = s.seeds.length < 2 ? [] : ['softmax', 'normface'].filter((b) => ids.includes(b)).flatMap((baseline) =>
    ids.filter((l) => l !== baseline).map((loss) =>
      `${lossLabel(loss)} − ${lossLabel(baseline)}, paired over seeds ${s.seeds.join(', ')} (mean difference in points, 95 % Student-t interval): ` +
      pairedAgainst(r, loss, baseline).map(({ measure, difference: d }) => `${measure} ${points(d.mean)} [${points(d.low)}, ${points(d.high)}]`).join('; ') + '.'));
  const rawRank = r.rawPixels.unseen.identification.rank1;
  return {
    title: 'arcgrad demo: open-set recognition of glyph identities',
    table: glyphsTable(r),
    figures,
    notes: [
      `Data: identity = one CJK character, image = that character in one font, ${d.imageSize}×${d.imageSize} grayscale (src/data/glyphs.ts; sha256 ${d.sha256.slice(0, 12)}…). ${d.trainIdentities} training identities in ${d.fonts.length} training fonts (${d.trainImages} images, ${s.data.copies} per (identity, font): the clean rendering${s.data.copies > 1 ? ' and seeded augmentations' : ''}); ${d.unseenIdentities} unseen identities, disjoint from them, in all ${d.fonts.length + d.heldOutFonts.length} fonts; held-out fonts: ${d.heldOutFonts.join(', ')}.`,
      `Protocol (src/eval/open-set.ts): LFW-style verification on ${s.pairs} pairs (10 folds, threshold chosen on 9, mean ± std over the folds); TAR@FAR from ALL genuine and impostor pairs of each set (exact: the largest TAR whose threshold accepts at most ⌊FAR·impostors⌋ impostor pairs); 1:N rank-1 identification with one font's clean image of each identity as gallery and every other image as probe, every other identity a distractor. Unseen: gallery = the first training font. Held-out fonts: gallery = the first held-out font. ${s.backend === 'cpu' ? 'All scores in float64.' : `The all-pairs scores come from float32 matmuls on the ${s.backend} backend; the ${s.pairs} pairs and rank-1 use float64.`}`,
      `Model: MLP ${d.imageSize * d.imageSize} → ${s.hidden.join(' → ')} → ${s.embedding} (PReLU, batch-normed embedding), ${s.epochs} epochs of SGD (momentum 0.9, weight decay 5e-4, lr ${s.lr} with 1 warm-up epoch and cosine decay), batch ${s.batchSize}, s = ${s.scale} for every margin loss, training seeds ${s.seeds.join(', ')}, backend ${s.backend}.`,
      `Best rank-1 on the unseen identities: ${lossLabel(bestRank.loss)} ${pct(bestRank.v)} % against ${pct(rawRank)} % for raw pixels.`,
      ...paired,
      `Run: \`${ctx.command}\` on ${ctx.date}; ${ctx.machine}; ${ctx.wallSeconds.toFixed(0)} s wall clock up to the report. Training times depend on the machine's load; every other number is deterministic in the settings.`,
      ...(r.reused.length === 0 ? [] : [`Reused from earlier records of the same settings, data and arcgrad version (\`--resume\`, src/demo/glyphs-record.ts), not trained in this run: ${r.reused.join(', ')}; their training times are those of the run that recorded them.`]),
    ],
  };
}
