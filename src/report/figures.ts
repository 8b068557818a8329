/**
 * The report's figures: functions from plain data to SVG strings, each a Vega-Lite spec rendered
 * by vega (see vega.ts). They validate their input with arcgrad's typed errors, because vega
 * silently drops NaN points and a figure with a missing series is worse than an error.
 */
import type { TopLevelSpec } from 'vega-lite';
import { DomainError, OptionError, ShapeError } from '../tensor/errors.js';
import { decisionBoundary, type BoundaryLine, type Curve } from './curves.js';
import { renderVegaLite } from './vega.js';

const PANEL_WIDTH = 300;
const PANEL_HEIGHT = 240;

function checkFinite(values: ArrayLike<number>, where: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new DomainError(`${where}: value ${i} is ${values[i]}, not a finite number`);
  }
}

function checkCurve(curve: Curve, where: string): void {
  if (curve.theta.length !== curve.value.length || curve.theta.length < 2) {
    throw new ShapeError(`${where}: curve '${curve.name}' has ${curve.theta.length} angles and ${curve.value.length} values`);
  }
  checkFinite(curve.theta, `${where} ('${curve.name}' θ)`);
  checkFinite(curve.value, `${where} ('${curve.name}')`);
}

function nonEmpty<T>(items: readonly T[], what: string, where: string): void {
  if (items.length === 0) throw new ShapeError(`${where}: no ${what}`);
}

/**
 * Where training lives, in degrees: the ArcFace paper's notes on its target-logit figure have θ_y
 * start near 90° (random features are orthogonal to their centers) and end near 30°; the start,
 * the end and the slope of a curve between them are what matter. Shaded in both margin figures.
 */
export const TRAINING_WINDOW_DEGREES: readonly [number, number] = [30, 90];

const DEGREE = 180 / Math.PI;

/** An angle axis in degrees, every 30°, each tick with its value in radians beside it. */
function angleAxis(title: string): Record<string, unknown> {
  return {
    type: 'quantitative',
    title: `${title} (degrees; radians in parentheses)`,
    scale: { domain: [0, 180] },
    // two-line labels ("90°" over "(1.57)") so that seven fit under a 200-pixel panel
    axis: { values: [0, 30, 60, 90, 120, 150, 180], labelExpr: "[datum.value + '°', '(' + format(datum.value * PI / 180, '.2f') + ')']", labelAngle: 0, labelFontSize: 9, labelOverlap: false, labelFlush: false },
  };
}

/**
 * The training window, shaded across the plot along `channel` (the angle θ_y on that axis), as a
 * layer over the rows with kind 'window' (fields lo, hi in degrees).
 */
function trainingWindowLayer(channel: 'x' | 'y', axisTitle: string): Record<string, unknown> {
  return {
    transform: [{ filter: "datum.kind === 'window'" }],
    mark: { type: 'rect', color: '#f2c14e', opacity: 0.2 },
    encoding: { [channel]: { field: 'lo', ...angleAxis(axisTitle) }, [`${channel}2`]: { field: 'hi' } },
  };
}

/** The row that `trainingWindowLayer` draws. */
function trainingWindowRow(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const [lo, hi] = TRAINING_WINDOW_DEGREES;
  return { ...extra, kind: 'window', lo, hi };
}

/** A panel of curves for `targetLogitFigure`. */
export interface CurvePanel {
  /** Panel title. */
  title: string;
  /** The curves, e.g. from `targetLogitCurves`. */
  curves: readonly Curve[];
}

/** Options of `targetLogitFigure`. */
export interface TargetLogitOptions {
  /** Figure title. */
  title?: string;
  /**
   * Lower end of the y axis; lower values are cut off (default −2, so that SphereFace's ψ, which
   * falls to −7 at θ = π for m1 = 4, does not squash the other curves; the panel subtitle says so).
   */
  yMin?: number;
  /** Panels per row (default: all in one row). */
  columns?: number;
}

/**
 * Target logit f(θ) in cos units against θ ∈ [0, π], one panel per entry (e.g. the losses, and
 * ArcFace under each fallback policy), one coloured line per curve.
 */
export async function targetLogitFigure(panels: readonly CurvePanel[], options: TargetLogitOptions = {}): Promise<string> {
  nonEmpty(panels, 'panels', 'targetLogitFigure');
  const yMin = options.yMin ?? -2;
  if (!Number.isFinite(yMin) || yMin >= 1) throw new OptionError(`targetLogitFigure: yMin must be finite and < 1, got ${yMin}`);
  const specs = panels.map((panel) => {
    nonEmpty(panel.curves, 'curves', `targetLogitFigure ('${panel.title}')`);
    panel.curves.forEach((c) => checkCurve(c, 'targetLogitFigure'));
    const cut = panel.curves.filter((c) => c.value.some((v) => v < yMin)).map((c) => c.name);
    const values: Record<string, unknown>[] = panel.curves.flatMap((c) =>
      Array.from(c.theta, (theta, i) => ({ kind: 'curve', series: c.name, degrees: theta * DEGREE, f: c.value[i], i })),
    );
    values.push(trainingWindowRow());
    const [lo, hi] = TRAINING_WINDOW_DEGREES;
    const subtitle = [...(cut.length ? [`cut at ${yMin}: ${cut.join(', ')}`] : []), `shaded: θ_y during training, ${lo}°–${hi}°`];
    return {
      title: { text: panel.title, subtitle: subtitle.join('; ') },
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      data: { values },
      layer: [
        trainingWindowLayer('x', 'θ'),
        {
          transform: [{ filter: "datum.kind === 'curve'" }],
          mark: { type: 'line', clip: true },
          encoding: {
            x: { field: 'degrees', ...angleAxis('θ') },
            y: { field: 'f', type: 'quantitative', title: 'target logit f(θ) (cos units)', scale: { domain: [yMin, 1] } },
            color: { field: 'series', type: 'nominal', title: null, sort: panel.curves.map((c) => c.name) },
            order: { field: 'i', type: 'quantitative' },
          },
        },
      ],
    };
  });
  const columns = options.columns;
  if (columns !== undefined && !(Number.isInteger(columns) && columns >= 1)) throw new OptionError(`targetLogitFigure: columns must be an integer ≥ 1, got ${columns}`);
  return renderVegaLite({
    title: options.title ?? 'Target logit f(θ) = cos(m1·θ + m2) − m3',
    ...(columns === undefined ? { hconcat: specs } : { concat: specs, columns }),
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec); // the layers are built as plain objects by the helpers above
}

/** Options of `decisionBoundaryFigure`. */
export interface DecisionBoundaryOptions {
  /** Figure title. */
  title?: string;
  /** Panels per row; 3 unless given. */
  columns?: number;
}

/** The legend of `decisionBoundaryFigure`, in order. */
export const DECISION_BOUNDARY_SERIES = [
  'class 1 boundary: f(θ1) = cos θ2',
  'class 2 boundary: f(θ2) = cos θ1',
  "fold-back: f rises again past φ = π ('none')",
  'no margin: θ1 = θ2',
] as const;

/**
 * One boundary line as figure rows: NaN points (no solution) are left out and start a new segment,
 * and the points where the curve folds back (f rising with θ) go to the fold-back series, in a
 * segment of their own that shares its first point with the line it continues.
 */
function boundaryRows(loss: string, series: string, line: BoundaryLine, folds: readonly boolean[], firstSegment: number): { rows: Record<string, unknown>[]; segments: number } {
  const rows: Record<string, unknown>[] = [];
  let segment = firstSegment - 1;
  let previous: { x: number; y: number; fold: boolean } | undefined;
  for (let i = 0; i < line.x.length; i++) {
    const [x, y] = [line.x[i], line.y[i]];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      previous = undefined;
      continue;
    }
    const name = folds[i] ? DECISION_BOUNDARY_SERIES[2] : series;
    if (previous === undefined || previous.fold !== folds[i]) {
      segment++;
      if (previous !== undefined) rows.push({ loss, series: name, segment, x: previous.x, y: previous.y, i: i - 1 });
    }
    rows.push({ loss, series: name, segment, x, y, i });
    previous = { x, y, fold: folds[i] };
  }
  return { rows, segments: segment + 1 - firstSegment };
}

/**
 * The binary decision boundaries of each loss in the (θ1, θ2) plane (the ArcFace paper's figure),
 * as `decisionBoundary` computes them: class 1 wins above θ2 = arccos f(θ1), class 2 right of the
 * mirror image. The gap between the two lines is the decision margin; the diagonal is the
 * boundary without margin. A line ends where f < −1 (no angle solves f = cos θ there), and the
 * part where f rises again with θ (fallback 'none' past φ = π, ArcFace's fold-back) is drawn as its
 * own series.
 */
export async function decisionBoundaryFigure(curves: readonly Curve[], options: DecisionBoundaryOptions = {}): Promise<string> {
  nonEmpty(curves, 'curves', 'decisionBoundaryFigure');
  const columns = options.columns ?? 3;
  if (!Number.isInteger(columns) || columns < 1) throw new OptionError(`decisionBoundaryFigure: columns must be a positive integer, got ${columns}`);
  const SERIES = DECISION_BOUNDARY_SERIES;
  let segments = 0;
  const values = curves.flatMap((c) => {
    checkCurve(c, 'decisionBoundaryFigure');
    const { class1, class2, folds } = decisionBoundary(c);
    const rows: Record<string, unknown>[] = [];
    for (const [series, line] of [[SERIES[0], class1], [SERIES[1], class2]] as const) {
      const r = boundaryRows(c.name, series, line, folds, segments);
      rows.push(...r.rows);
      segments += r.segments;
    }
    segments++;
    rows.push({ loss: c.name, series: SERIES[3], segment: segments - 1, x: 0, y: 0, i: 0 }, { loss: c.name, series: SERIES[3], segment: segments - 1, x: Math.PI, y: Math.PI, i: 1 });
    return [
      ...rows.map((r) => ({ ...r, kind: 'line', x: (r.x as number) * DEGREE, y: (r.y as number) * DEGREE })),
      trainingWindowRow({ loss: c.name }),
    ];
  });
  return renderVegaLite({
    title: options.title ?? 'Binary decision boundaries in the (θ1, θ2) plane',
    data: { values },
    facet: { field: 'loss', type: 'nominal', title: null, sort: curves.map((c) => c.name) },
    columns,
    spec: {
      width: 200,
      height: 200,
      layer: [
        trainingWindowLayer('x', 'θ1'),
        trainingWindowLayer('y', 'θ2'),
        {
          transform: [{ filter: "datum.kind === 'line'" }],
          mark: { type: 'line', clip: true },
          encoding: {
        x: { field: 'x', ...angleAxis('θ1') },
        y: { field: 'y', ...angleAxis('θ2') },
        color: { field: 'series', type: 'nominal', title: null, sort: [...SERIES], scale: { domain: [...SERIES], range: ['#4c78a8', '#f58518', '#e45756', '#888888'] } },
        strokeDash: { field: 'series', type: 'nominal', title: null, sort: [...SERIES], scale: { domain: [...SERIES], range: [[1, 0], [1, 0], [2, 2], [4, 3]] } },
        detail: { field: 'segment', type: 'nominal' },
        order: { field: 'i', type: 'quantitative' },
          },
        },
      ],
    },
  } as unknown as TopLevelSpec); // the layers are built as plain objects by the helpers above
}

/** One panel of 2-D embeddings for `embeddingScatterFigure`. */
export interface ScatterPanel {
  /** Panel title (e.g. the loss). */
  title: string;
  /** Row-major N × 2 embeddings; each is drawn at its direction on the unit circle. */
  points: ArrayLike<number>;
  /** Class of each point (N numbers). */
  labels: ArrayLike<number>;
  /** Optional class centres, row-major C × 2 (e.g. the head's W): row j is drawn as a ray in class j's colour. */
  centres?: ArrayLike<number>;
  /** Optional arcs (degrees counter-clockwise from +x, `from` ≤ `to` ≤ `from` + 360), drawn just outside the circle in their class's colour, each class on a ring of its own. */
  arcs?: readonly ScatterArc[];
}

/** An arc of the circle belonging to one class (e.g. where its features lie). */
export interface ScatterArc {
  /** The class. */
  label: number;
  /** Start angle in degrees. */
  from: number;
  /** End angle in degrees (≥ from, at most one turn later). */
  to: number;
}

/** Options of `embeddingScatterFigure`. */
export interface ScatterOptions {
  /** Figure title. */
  title?: string;
  /** Panels per row (default: all in one row). */
  columns?: number;
  /** Write the angle in degrees around the circle every this many degrees, instead of x/y axes (default: axes). */
  degreeStep?: number;
  /** The legend's name of class k (default: k). */
  classNames?: readonly string[];
  /** Legend title (default 'class'). */
  legendTitle?: string;
  /** Give each point its own accessible label (default true); false drops them, for figures of thousands of points. */
  describePoints?: boolean;
}

/**
 * 2-D embeddings projected onto the unit circle (x/‖x‖), coloured by class, with the circle drawn,
 * one panel per entry side by side (e.g. Softmax vs ArcFace), and each panel's class centres as
 * rays and class arcs just outside the circle when given. Classes share one colour scale.
 */
export async function embeddingScatterFigure(panels: readonly ScatterPanel[], options: ScatterOptions = {}): Promise<string> {
  nonEmpty(panels, 'panels', 'embeddingScatterFigure');
  const { columns, degreeStep } = options;
  if (columns !== undefined && !(Number.isInteger(columns) && columns >= 1)) throw new OptionError(`embeddingScatterFigure: columns must be an integer ≥ 1, got ${columns}`);
  if (degreeStep !== undefined && !(degreeStep > 0 && degreeStep <= 180)) throw new OptionError(`embeddingScatterFigure: degreeStep must lie in (0, 180], got ${degreeStep}`);
  const circle = Array.from({ length: 121 }, (_, i) => (2 * Math.PI * i) / 120);
  const classes = new Set<number>();
  const name = (label: number) => options.classNames?.[label] ?? String(label);
  const ticks = degreeStep === undefined ? [] : Array.from({ length: Math.ceil(360 / degreeStep - 1e-9) }, (_, i) => i * degreeStep);
  const values = panels.flatMap((p) => {
    const where = `embeddingScatterFigure ('${p.title}')`;
    if (p.points.length !== 2 * p.labels.length) {
      throw new ShapeError(`${where}: ${p.points.length} numbers are not ${p.labels.length} points of 2`);
    }
    checkFinite(p.points, where);
    const rows: Record<string, unknown>[] = circle.map((a, i) => ({ panel: p.title, kind: 'circle', x: Math.cos(a), y: Math.sin(a), i }));
    for (const t of ticks) {
      const a = t / DEGREE;
      rows.push({ panel: p.title, kind: 'degree', x: 1.3 * Math.cos(a), y: 1.3 * Math.sin(a), text: `${t}°` });
      rows.push({ panel: p.title, kind: 'tick', x: Math.cos(a), y: Math.sin(a), x2: 1.05 * Math.cos(a), y2: 1.05 * Math.sin(a) });
    }
    for (let k = 0; k < p.labels.length; k++) {
      const [x, y] = [p.points[2 * k], p.points[2 * k + 1]];
      const r = Math.hypot(x, y);
      if (r === 0) throw new DomainError(`${where}: point ${k} is (0, 0) and has no direction`);
      classes.add(p.labels[k]);
      rows.push({ panel: p.title, kind: 'point', x: x / r, y: y / r, class: name(p.labels[k]) });
    }
    for (const arc of p.arcs ?? []) {
      if (!(Number.isFinite(arc.from) && Number.isFinite(arc.to) && arc.from <= arc.to && arc.to <= arc.from + 360)) {
        throw new DomainError(`${where}: the arc of class ${arc.label} runs from ${arc.from}° to ${arc.to}°, not from ≤ to ≤ from + 360`);
      }
      classes.add(arc.label);
      const steps = Math.max(1, Math.ceil((arc.to - arc.from) / 2));
      // each class at its own radius (8 rings from 1.06 to 1.19), so that overlapping arcs stay visible
      const radius = 1.06 + (0.13 * (((arc.label % 8) + 8) % 8)) / 7;
      for (let i = 0; i <= steps; i++) {
        const a = (arc.from + ((arc.to - arc.from) * i) / steps) / DEGREE;
        rows.push({ panel: p.title, kind: 'arc', x: radius * Math.cos(a), y: radius * Math.sin(a), i, class: name(arc.label) });
      }
    }
    if (p.centres !== undefined) {
      if (p.centres.length % 2 !== 0) throw new ShapeError(`${where}: ${p.centres.length} centre numbers are not rows of 2`);
      checkFinite(p.centres, `${where} (centres)`);
      for (let j = 0; j < p.centres.length / 2; j++) {
        const [x, y] = [p.centres[2 * j], p.centres[2 * j + 1]];
        const r = Math.hypot(x, y);
        if (r === 0) throw new DomainError(`${where}: centre ${j} is (0, 0) and has no direction`);
        classes.add(j);
        rows.push({ panel: p.title, kind: 'centre', x: 0, y: 0, x2: x / r, y2: y / r, class: name(j) });
      }
    }
    return rows;
  });
  const extent = degreeStep !== undefined ? 1.42 : panels.some((p) => p.arcs?.length) ? 1.22 : 1.1;
  const axis = (field: string) => ({
    field,
    type: 'quantitative' as const,
    title: null,
    scale: { domain: [-extent, extent] },
    ...(degreeStep === undefined ? {} : { axis: null }),
  });
  const colour = {
    field: 'class',
    type: 'nominal',
    title: options.legendTitle ?? 'class',
    sort: [...classes].sort((a, b) => a - b).map(name),
  };
  const kind = (k: string) => [{ filter: `datum.kind === '${k}'` }];
  // Without point labels the circle goes unlabelled too (its 121 vertices are no information).
  const quiet = options.describePoints === false ? { aria: false } : {};
  return renderVegaLite({
    title: options.title ?? 'Embeddings on the unit circle',
    data: { values },
    facet: columns === undefined ? { column: { field: 'panel', type: 'nominal', title: null, sort: panels.map((p) => p.title) } } : { field: 'panel', type: 'nominal', title: null, sort: panels.map((p) => p.title) },
    ...(columns === undefined ? {} : { columns }),
    spec: {
      width: 240,
      height: 240,
      layer: [
        { transform: kind('circle'), mark: { type: 'line', color: '#bbb', ...quiet }, encoding: { x: axis('x'), y: axis('y'), order: { field: 'i', type: 'quantitative' } } },
        ...(ticks.length === 0 ? [] : [
          { transform: kind('tick'), mark: { type: 'rule', color: '#888', aria: false }, encoding: { x: axis('x'), y: axis('y'), x2: { field: 'x2' }, y2: { field: 'y2' } } },
          { transform: kind('degree'), mark: { type: 'text', fontSize: 9, color: '#555', aria: false }, encoding: { x: axis('x'), y: axis('y'), text: { field: 'text', type: 'nominal' } } },
        ]),
        { transform: kind('point'), mark: { type: 'point', filled: true, size: 30, opacity: 0.7, ...(options.describePoints === false ? { aria: false } : {}) }, encoding: { x: axis('x'), y: axis('y'), color: colour } },
        { transform: kind('arc'), mark: { type: 'line', strokeWidth: 3, strokeCap: 'butt' }, encoding: { x: axis('x'), y: axis('y'), color: colour, order: { field: 'i', type: 'quantitative' } } },
        { transform: kind('centre'), mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: axis('x'), y: axis('y'), x2: { field: 'x2' }, y2: { field: 'y2' }, color: colour } },
      ],
    },
  } as unknown as TopLevelSpec); // the layers are built as plain objects
}

/** The target angles of one training stage, for `angleHistogramFigure`. */
export interface AngleStage {
  /** Stage name, e.g. "epoch 1". */
  stage: string;
  /** Angles θ_y between each sample and its class center, in radians, in [0, π]. */
  angles: ArrayLike<number>;
}

/** Beyond this many series the θ_y histogram is drawn as small multiples (one panel each) instead of overlaid. */
const SMALL_MULTIPLES_ABOVE = 4;

/**
 * Histograms of the target angles θ_y (shown in degrees, bins of `binDegrees`, 5 unless given),
 * one overlaid, semi-transparent histogram per training stage, in the order given; more than four
 * stages (e.g. one per loss) are drawn as small multiples, three panels a row, with shared axes.
 */
export async function angleHistogramFigure(
  stages: readonly AngleStage[],
  options: { title?: string; binDegrees?: number } = {},
): Promise<string> {
  nonEmpty(stages, 'stages', 'angleHistogramFigure');
  const step = options.binDegrees ?? 5;
  if (!(step > 0 && step <= 180)) throw new OptionError(`angleHistogramFigure: binDegrees must lie in (0, 180], got ${step}`);
  const values = stages.flatMap((s) => {
    const where = `angleHistogramFigure ('${s.stage}')`;
    nonEmpty(Array.from(s.angles), 'angles', where);
    checkFinite(s.angles, where);
    return Array.from(s.angles, (a, i) => {
      if (a < 0 || a > Math.PI) throw new DomainError(`${where}: angle ${i} is ${a}, outside [0, π]`);
      return { stage: s.stage, degrees: (a * 180) / Math.PI };
    });
  });
  const x = { field: 'degrees', type: 'quantitative', bin: { extent: [0, 180], step }, title: 'θ_y (degrees)' };
  const y = { aggregate: 'count', type: 'quantitative', stack: null, title: 'samples' };
  const title = options.title ?? 'Target angles θ_y during training';
  if (stages.length > SMALL_MULTIPLES_ABOVE) {
    // Overlaid translucent bars stop being readable beyond a few series: one panel per series, shared axes.
    return renderVegaLite({
      title,
      data: { values },
      columns: 3,
      facet: { field: 'stage', type: 'nominal', title: null, sort: stages.map((s) => s.stage) },
      spec: { width: 200, height: 110, mark: { type: 'bar', binSpacing: 0 }, encoding: { x, y } },
    } as TopLevelSpec);
  }
  return renderVegaLite({
    title,
    width: 420,
    height: 240,
    data: { values },
    mark: { type: 'bar', opacity: 0.5, binSpacing: 0 },
    encoding: { x, y, color: { field: 'stage', type: 'nominal', title: 'stage', sort: stages.map((s) => s.stage) } },
  } as TopLevelSpec);
}

/** One ROC curve for `rocFigure` (e.g. `roc(...)`'s far and tar with a name). */
export interface RocSeries {
  /** Series name (e.g. the loss). */
  name: string;
  /** False accept rates, in [0, 1]. */
  far: ArrayLike<number>;
  /** True accept rates at the same thresholds, in [0, 1]. */
  tar: ArrayLike<number>;
}

/**
 * ROC curves, TAR against FAR on a log-scale FAR axis, one line per series. Points with FAR = 0
 * have no place on a log axis and are left out; the axis starts at `minFar` (default: the
 * smallest positive FAR of all series — with N impostor pairs that is 1/N).
 */
export async function rocFigure(series: readonly RocSeries[], options: { title?: string; minFar?: number } = {}): Promise<string> {
  nonEmpty(series, 'series', 'rocFigure');
  let smallest = Infinity;
  const values = series.flatMap((s) => {
    const where = `rocFigure ('${s.name}')`;
    if (s.far.length !== s.tar.length) throw new ShapeError(`${where}: ${s.far.length} FARs but ${s.tar.length} TARs`);
    checkFinite(s.far, where);
    checkFinite(s.tar, where);
    const rows = [];
    for (let i = 0; i < s.far.length; i++) {
      if (s.far[i] < 0 || s.far[i] > 1 || s.tar[i] < 0 || s.tar[i] > 1) {
        throw new DomainError(`${where}: point ${i} (${s.far[i]}, ${s.tar[i]}) is outside [0, 1]²`);
      }
      if (s.far[i] > 0) {
        smallest = Math.min(smallest, s.far[i]);
        rows.push({ series: s.name, far: s.far[i], tar: s.tar[i], i });
      }
    }
    if (rows.length === 0) throw new ShapeError(`${where}: no point with FAR > 0`);
    return rows;
  });
  const minFar = options.minFar ?? smallest;
  if (!(minFar > 0 && minFar < 1)) throw new OptionError(`rocFigure: minFar must lie in (0, 1), got ${minFar}`);
  return renderVegaLite({
    title: options.title ?? 'ROC on unseen identities',
    width: 420,
    height: 300,
    data: { values },
    mark: { type: 'line', clip: true },
    encoding: {
      x: { field: 'far', type: 'quantitative', title: 'FAR (log scale)', scale: { type: 'log', domain: [minFar, 1] } },
      y: { field: 'tar', type: 'quantitative', title: 'TAR', scale: { domain: [0, 1] } },
      color: { field: 'series', type: 'nominal', title: null, sort: series.map((s) => s.name), ...(series.length > 10 ? { scale: { scheme: 'tableau20' } } : {}) }, // the default palette repeats after 10
      order: { field: 'i', type: 'quantitative' },
    },
  } as TopLevelSpec);
}
