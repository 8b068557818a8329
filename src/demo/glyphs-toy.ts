/**
 * The ArcFace paper's 2-D toy (arXiv 1801.07698, Figure 1/3's idea) on glyph identities: 8
 * identities, a backbone ending in a 2-D embedding, one model per loss (Softmax, NormFace,
 * SphereFace, CosFace, ArcFace), the features drawn on the unit circle with the class centres Wⱼ
 * as rays, and the gaps between the classes measured (src/demo/toy-gaps.ts), not only drawn.
 *
 * Every setting is in `TOY_SETTINGS`, fixed before the first full run (docs/glyphs.md, "The 2-D
 * toy", gives the reasoning behind each); everything but the wall-clock times is deterministic in
 * them.
 */
import type { Backend } from '../backend/backend.js';
import { cpu } from '../backend/cpu.js';
import { mixSeed } from '../data/glyph-render.js';
import { glyphImages, type GlyphImageSet, type GlyphsData, type GlyphsSpec } from '../data/glyphs.js';
import { MLP } from '../nn/mlp.js';
import { sgd } from '../optim/sgd.js';
import { embeddingScatterFigure } from '../report/figures.js';
import type { ReportInput, ReportTable } from '../report/report.js';
import { OptionError } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';
import { train } from '../train/loop.js';
import { headSeed, lrSchedule, stepsPerEpoch, type RunConfig } from './experiment.js';
import { epochTracker, type ProgressFactory } from './glyphs.js';
import { lossConfig, lossLabel, makeHead, shortLossParams, type LossConfig } from './losses.js';
import type { RunContext } from './report.js';
import { measureGaps, type GapMeasure } from './toy-gaps.js';

/** The settings of a toy run. */
export interface ToySettings {
  /** 'full': the 17 pinned families from the cache; 'fixture': the two devDependency families. */
  fonts: 'full' | 'fixture';
  /** What is rendered: the picked characters (the identities) × every font × `copies` (copy 0 clean). */
  data: GlyphsSpec & { pick: NonNullable<GlyphsSpec['pick']> };
  /** Fonts held out as the test part (a seeded shuffle of the fonts, the first this many). */
  heldOutFonts: number;
  /** Seed of that font shuffle. */
  fontSeed: number;
  /** The losses, one model each, in panel order. */
  losses: string[];
  /** s of every margin loss. */
  scale: number;
  /** Hidden widths of the MLP backbone (its embedding is 2-D). */
  hidden: number[];
  /** Epochs. */
  epochs: number;
  /** Images per step. */
  batchSize: number;
  /** Peak learning rate (SGD with momentum 0.9, weight decay 5e-4, 1 warm-up epoch, cosine decay). */
  lr: number;
  /** Training seed (initialization and shuffling). */
  seed: number;
  /** The backend the training steps run on (src/backend/select.ts). */
  backend: string;
  /** Features drawn per class and panel (an evenly spaced subset; the measures use all of them). */
  drawPerClass: number;
}

/** The losses of the paper's comparison that the toy draws. */
export const TOY_LOSSES: readonly string[] = ['softmax', 'normface', 'sphereface', 'cosface', 'arcface'];

/**
 * The full toy and the `--quick` one the tests run. Full: 8 identities × 17 fonts × 88 copies
 * (1,496 images per identity), 3 fonts held out (14 × 88 × 8 = 9,856 training images, 77 steps
 * per epoch); 30 epochs = 2,310 steps, so SphereFace's published λ schedule (λ = 1000/(1 + 0.12·t),
 * floor 5 from iteration 1,659) reaches its floor and trains 651 steps there. s = 30: NormFace's
 * bound (C−1)/C·ln((C−1)·P/(1−P)) gives 5.7 for C = 8, P = 0.99, but it assumes the centres of a
 * regular simplex (d ≥ C−1); in 2-D the 8 centres are at best 45° apart, and the same argument
 * (a feature on its centre, the others at 45°, 90°, 135°, 180°) needs s ≥ ln(2·P/(1−P))/(1 − cos 45°)
 * = 18.1 for P = 0.99 and 25.9 for P = 0.999. The margins are the published ones.
 */
const FULL_TOY: Readonly<ToySettings> = {
  fonts: 'full',
  data: { size: 16, copies: 88, seed: 0, maxCharacters: 0, pick: { count: 8, seed: 0 } },
  heldOutFonts: 3,
  fontSeed: 0,
  losses: [...TOY_LOSSES],
  scale: 30,
  hidden: [256],
  epochs: 30,
  batchSize: 128,
  lr: 0.1,
  seed: 0,
  backend: 'wasm',
  drawPerClass: 20,
};

/** The full toy (`FULL_TOY`, reasoned above) and `--quick`: the two small fonts, 12 copies, 4 epochs (seconds; the tests run it). */
export const TOY_SETTINGS: Readonly<Record<'full' | 'quick', Readonly<ToySettings>>> = {
  full: FULL_TOY,
  quick: { ...FULL_TOY, fonts: 'fixture', data: { ...FULL_TOY.data, copies: 12 }, heldOutFonts: 1, hidden: [64], epochs: 4, batchSize: 32, drawPerClass: 12 },
};

/** Which fonts train and which are held out (indices into the manifest's fonts, ascending). */
export interface ToyFontSplit {
  /** Fonts of the training images. */
  train: number[];
  /** Fonts of the test images. */
  test: number[];
}

/** A seeded split of `fonts` fonts: the first `heldOut` of a shuffle are the test fonts. */
export function toyFontSplit(fonts: number, heldOut: number, seed: number): ToyFontSplit {
  if (!(Number.isInteger(heldOut) && heldOut >= 1 && heldOut < fonts)) {
    throw new OptionError(`toy: heldOutFonts must be an integer in [1, ${fonts - 1}] (the data set has ${fonts} fonts), got ${heldOut}`);
  }
  const order = new Random(mixSeed(seed, 0x746f7966)).shuffle(Array.from({ length: fonts }, (_, i) => i)); // "toyf"
  const asc = (a: number[]) => a.sort((x, y) => x - y);
  return { train: asc(order.slice(heldOut)), test: asc(order.slice(0, heldOut)) };
}

/** 2-D features of one set with their classes. */
export interface ToyFeatures {
  /** Row-major N × 2 embeddings (backbone in evaluation mode). */
  points: Float64Array;
  /** Class of each row. */
  labels: Int32Array;
  /** What `measureGaps` finds on them. */
  gaps: GapMeasure;
}

/** One trained toy model. */
export interface ToyRun {
  /** Loss name. */
  loss: string;
  /** Its configuration. */
  config: LossConfig;
  /** Mean training loss of each epoch. */
  lossCurve: number[];
  /** Optimizer steps. */
  steps: number;
  /** Wall-clock seconds of training (not deterministic). */
  trainSeconds: number;
  /** The head's class centres W, row-major C × 2. */
  centres: Float64Array;
  /** The training images' features. */
  train: ToyFeatures;
  /** The held-out fonts' features. */
  test: ToyFeatures;
}

/** Everything a toy run measured. */
export interface ToyResults {
  /** The settings. */
  settings: ToySettings;
  /** The identities' code points, class k = characters[k]. */
  characters: number[];
  /** Training and test font names. */
  fonts: { train: string[]; test: string[] };
  /** Image counts. */
  images: { train: number; test: number };
  /** sha256 of the rendered images. */
  sha256: string;
  /** One per loss, in the settings' order. */
  runs: ToyRun[];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The run configuration of one toy loss (the shape `lrSchedule` reads). */
function toyRunConfig(s: ToySettings, loss: string): RunConfig {
  return {
    loss: loss === 'softmax' ? lossConfig(loss) : lossConfig(loss, { s: s.scale }),
    data: { seed: s.data.seed, perDigit: 0 },
    model: { hidden: s.hidden, embedding: 2 },
    optim: { epochs: s.epochs, batchSize: s.batchSize, lr: s.lr, momentum: 0.9, weightDecay: 5e-4, warmupEpochs: 1, seed: s.seed },
    pairs: 0,
  };
}

/** Trains one loss's 2-D model on `trainSet` and measures it on both sets. */
function trainToyRun(s: ToySettings, trainSet: GlyphImageSet, testSet: GlyphImageSet, classes: number, loss: string, backend: Backend, progress: ProgressFactory): ToyRun {
  const config = toyRunConfig(s, loss);
  const head = makeHead(config.loss, classes, 2, new Random(headSeed(s.seed)));
  const backbone = new MLP({ inFeatures: trainSet.pixels, hidden: s.hidden, embedding: 2, activation: 'prelu' });
  const perEpoch = stepsPerEpoch(config, trainSet.count);
  const epochs = epochTracker(progress(`toy ${loss}`.padEnd(15), s.epochs * perEpoch), s.epochs);
  const started = performance.now();
  const result = train({
    backbone,
    head: head.init,
    headLoss: (e, h, y) => head.loss(e, h, y, epochs.step + 1),
    data: { x: cpu.fromArray(trainSet.x, [trainSet.count, trainSet.pixels], 'float64'), labels: trainSet.labels },
    backend,
    epochs: s.epochs,
    batchSize: s.batchSize,
    optimizer: sgd({ lr: s.lr, momentum: 0.9, weightDecay: 5e-4 }),
    schedule: lrSchedule(config, trainSet.count),
    seed: s.seed,
    onProgress: epochs.onProgress,
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const centres = Float64Array.from(result.head.w.toTypedArray());
  const features = (set: GlyphImageSet): ToyFeatures => {
    const x = cpu.fromArray(set.x, [set.count, set.pixels], 'float64');
    const points = Float64Array.from(backbone.apply(result.backbone, x, { training: false, state: result.state }).y.toTypedArray());
    return { points, labels: set.labels, gaps: measureGaps(points, set.labels, centres) };
  };
  return { loss, config: config.loss, lossCurve: epochs.sums.map((v) => v / perEpoch), steps: result.step, trainSeconds, centres, train: features(trainSet), test: features(testSet) };
}

/** Trains and measures every loss of `s` on `data` (the picked characters, every font, every copy). */
export function runGlyphsToy(s: ToySettings, data: GlyphsData, backend: Backend = cpu, progress: ProgressFactory = () => ({ update() {}, finish() {} })): ToyResults {
  const m = data.manifest;
  if (m.copies !== s.data.copies) throw new OptionError(`toy: the data set has ${m.copies} copies, the settings ${s.data.copies}`);
  const split = toyFontSplit(m.fonts.length, s.heldOutFonts, s.fontSeed);
  const classes = range(m.characters.length);
  const trainSet = glyphImages(data, classes, split.train, range(m.copies));
  const testSet = glyphImages(data, classes, split.test, range(m.copies));
  return {
    settings: s,
    characters: m.characters,
    fonts: { train: split.train.map((f) => m.fonts[f].name), test: split.test.map((f) => m.fonts[f].name) },
    images: { train: trainSet.count, test: testSet.count },
    sha256: m.sha256,
    runs: s.losses.map((loss) => trainToyRun(s, trainSet, testSet, classes.length, loss, backend, progress)),
  };
}

const deg = (v: number) => v.toFixed(1);
const pct = (v: number) => (100 * v).toFixed(1);

/** The table: per loss, the gaps (minimum, mean, how many are open) and the misassigned share, on the training and the test (held-out fonts) features. */
export function toyTable(r: ToyResults): ReportTable {
  const classes = r.characters.length;
  const block = (where: string) => [`${where}: min gap (°)`, `${where}: mean gap (°)`, `${where}: gaps open (of ${classes})`, `${where}: nearer another Wⱼ %`];
  return {
    columns: ['Loss', 'Hyper-parameters', ...block('Train'), ...block('Test'), 'Final train loss'],
    rows: r.runs.map((x) => [
      lossLabel(x.loss),
      shortLossParams(x.config),
      ...[x.train, x.test].flatMap((f) => [deg(f.gaps.minGap), deg(f.gaps.meanGap), f.gaps.gaps.filter((g) => g.degrees > 0).length, pct(f.gaps.closerToOther)]),
      x.lossCurve[x.lossCurve.length - 1].toFixed(3),
    ]),
  };
}

/** Every `perClass`-th-spaced feature of each class (evenly over the class's rows), as a smaller set for drawing. */
function drawnSubset(f: ToyFeatures, classes: number, perClass: number): { points: Float64Array; labels: Int32Array } {
  const rows = range(classes).flatMap((c) => {
    const mine = range(f.labels.length).filter((i) => f.labels[i] === c);
    const step = Math.max(1, mine.length / perClass);
    return range(Math.min(perClass, mine.length)).map((k) => mine[Math.floor(k * step)]);
  });
  return { points: Float64Array.from(rows.flatMap((i) => [f.points[2 * i], f.points[2 * i + 1]])), labels: Int32Array.from(rows, (i) => f.labels[i]) };
}

/** The character of class k for the legend, e.g. "U+4E2D 中". */
export function characterName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase()} ${String.fromCodePoint(cp)}`;
}

/**
 * The figure: one panel per loss on the unit circle (training features, then the test features in
 * a second row), centres Wⱼ as rays, each class's measured arc (1st–99th percentile) as a thick
 * line just outside the circle, degrees around.
 */
export async function toyFigure(r: ToyResults): Promise<string> {
  const classes = r.characters.length;
  const panels = (['train', 'test'] as const).flatMap((where) =>
    r.runs.map((x) => ({
      title: `${lossLabel(x.loss)} (${where === 'train' ? 'training fonts' : 'held-out fonts'}): min gap ${deg(x[where].gaps.minGap)}°`,
      ...drawnSubset(x[where], classes, r.settings.drawPerClass),
      centres: x.centres,
      arcs: x[where].gaps.arcs.map((a) => ({ label: a.label, from: a.centre + a.start, to: a.centre + a.end })),
    })),
  );
  return embeddingScatterFigure(panels, {
    title: `2-D features of ${classes} glyph identities on the unit circle (rays: the class centres Wⱼ)`,
    columns: r.runs.length,
    degreeStep: 45,
    classNames: r.characters.map(characterName),
    legendTitle: 'identity',
    describePoints: false,
  });
}

/** The toy's report: the table, the figure and notes saying what was measured how. */
export async function toyReport(r: ToyResults, context: RunContext): Promise<ReportInput> {
  const s = r.settings;
  return {
    title: 'arcgrad toy: 2-D features of 8 glyph identities (the ArcFace paper\'s toy)',
    table: toyTable(r),
    figures: [
      {
        file: 'glyphs-toy.svg',
        title: 'Features on the unit circle',
        svg: await toyFigure(r),
        caption: `Points: ${s.drawPerClass} evenly spaced features per identity and panel; the thick arcs outside the circle and the measures use all ${r.images.train} training and ${r.images.test} test features (an arc runs from the 1st to the 99th percentile of its identity's angles).`,
      },
    ],
    notes: [
      `Data: ${r.characters.length} identities (${r.characters.map(characterName).join(', ')}: the first ${s.data.pick.count} of a shuffle of the fonts' common characters seeded by ${s.data.pick.seed}), ${s.data.size}×${s.data.size} pixels, ${s.data.copies} copies per (font, identity) (copy 0 clean, the rest augmented); training fonts: ${r.fonts.train.join(', ')} (${r.images.train} images); held-out test fonts: ${r.fonts.test.join(', ')} (${r.images.test} images). sha256 ${r.sha256.slice(0, 12)}….`,
      `Model: MLP ${s.data.size * s.data.size} → ${s.hidden.join(' → ')} → 2 (PReLU, batch-normed embedding), ${s.epochs} epochs of SGD (momentum 0.9, weight decay 5e-4, lr ${s.lr}, 1 warm-up epoch, cosine decay), batch ${s.batchSize}, seed ${s.seed}, s = ${s.scale} for every margin loss, backend ${s.backend}.`,
      'Gaps (src/demo/toy-gaps.ts): a class\'s arc runs from the 1st to the 99th percentile of its feature angles around their circular mean; for each pair of classes adjacent on the circle the gap is the empty angle between their arcs (negative: they overlap; open: positive). Test = the held-out fonts. "Nearer another Wⱼ": the share of features whose nearest class centre by angle is not their own (Softmax also has a bias, so for it this is not its decision rule).',
      `Run: \`${context.command}\` on ${context.date}; ${context.machine}; ${context.wallSeconds.toFixed(1)} s wall clock. Training times depend on the load; every other number is deterministic in the settings.`,
    ],
  };
}

/** toy.json: settings, data, and per loss the curve, centres and every gap. */
export function toyJson(r: ToyResults, context: Record<string, unknown>): unknown {
  const gaps = (f: ToyFeatures) => ({ ...f.gaps, count: f.labels.length });
  return {
    context,
    settings: r.settings,
    characters: r.characters.map(characterName),
    fonts: r.fonts,
    images: r.images,
    sha256: r.sha256,
    losses: r.runs.map((x) => ({
      name: x.loss,
      label: lossLabel(x.loss),
      params: shortLossParams(x.config),
      config: x.config,
      steps: x.steps,
      trainSeconds: x.trainSeconds,
      lossCurve: x.lossCurve,
      centresDegrees: range(x.centres.length / 2).map((j) => ((Math.atan2(x.centres[2 * j + 1], x.centres[2 * j]) * 180) / Math.PI + 360) % 360),
      train: gaps(x.train),
      test: gaps(x.test),
    })),
  };
}
