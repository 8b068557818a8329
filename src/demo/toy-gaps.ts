/**
 * The angular gaps between classes of 2-D embeddings (the ArcFace paper's toy figure, measured
 * instead of only drawn). Every feature counts by its direction alone (its angle on the unit
 * circle).
 *
 * A class's arc: its centre is the circular mean of its feature angles (atan2 of the summed unit
 * vectors), each feature's angle is taken relative to that centre in (−180°, 180°], and the arc
 * runs from the 1st to the 99th percentile of those relative angles (linear interpolation between
 * order statistics), so one stray feature in a hundred does not close a gap. The feature mean
 * rather than the head's Wⱼ: Softmax's bias lets a class sit off its Wⱼ, and the arc is about where
 * the features are.
 *
 * Gaps: the classes sorted by arc centre around the circle; for each pair of neighbours (a, b), b
 * the next counter-clockwise, gap = (centre_b − centre_a mod 360°) + start_b − end_a, in degrees,
 * where start and end are relative to each class's centre. A negative gap is an overlap.
 *
 * Misassignment: the share of features whose nearest class centre Wⱼ by angle (largest cosine) is
 * not their own class's — the centres the head learned, drawn as rays in the figure.
 */
import { DomainError, ShapeError } from '../tensor/errors.js';

const DEGREE = 180 / Math.PI;

/** One class's arc, in degrees (counter-clockwise from the +x axis). */
export interface ClassArc {
  /** The class. */
  label: number;
  /** Features of the class. */
  count: number;
  /** Circular mean of its feature angles, in [0, 360). */
  centre: number;
  /** 1st percentile of the angles relative to `centre` (usually ≤ 0). */
  start: number;
  /** 99th percentile of the angles relative to `centre` (usually ≥ 0). */
  end: number;
}

/** The gap between two classes adjacent on the circle. */
export interface ClassGap {
  /** The class before (clockwise side). */
  from: number;
  /** The next class counter-clockwise. */
  to: number;
  /** Degrees of empty circle between the arcs; negative when they overlap. */
  degrees: number;
}

/** What `measureGaps` finds. */
export interface GapMeasure {
  /** Each class's arc, by label. */
  arcs: ClassArc[];
  /** Gaps between neighbours, in circle order (as many as classes). */
  gaps: ClassGap[];
  /** The smallest gap (degrees; negative: the worst overlap). */
  minGap: number;
  /** The mean gap (degrees). */
  meanGap: number;
  /** Share of features whose nearest centre Wⱼ (by angle) is another class's. */
  closerToOther: number;
}

/** The percentiles that bound a class's arc. */
export const ARC_PERCENTILES: readonly [number, number] = [0.01, 0.99];

/** The q-quantile of ascending `sorted` by linear interpolation between order statistics (Hyndman–Fan type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new ShapeError('quantileSorted: no values');
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** `a` in degrees wrapped into (−180, 180]. */
function wrapSigned(a: number): number {
  const r = ((a % 360) + 360) % 360;
  return r > 180 ? r - 360 : r;
}

/**
 * Arcs, gaps and misassignment of `points` (row-major N × 2) with `labels` in 0 … C−1, against the
 * class centres `centres` (row-major C × 2, e.g. the head's W). Every class needs a feature; a
 * zero vector (no direction) is a DomainError.
 */
export function measureGaps(points: ArrayLike<number>, labels: ArrayLike<number>, centres: ArrayLike<number>): GapMeasure {
  const n = labels.length;
  const classes = centres.length / 2;
  if (points.length !== 2 * n) throw new ShapeError(`measureGaps: ${points.length} numbers are not ${n} points of 2`);
  if (!Number.isInteger(classes) || classes < 2) throw new ShapeError(`measureGaps: centres must be C × 2 with C ≥ 2, got ${centres.length} numbers`);
  const angles = new Float64Array(n);
  const members: number[][] = Array.from({ length: classes }, () => []);
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = [points[2 * i], points[2 * i + 1]];
    const r = Math.hypot(x, y);
    if (!(r > 0 && Number.isFinite(r))) throw new DomainError(`measureGaps: point ${i} is (${x}, ${y}) and has no direction`);
    const label = labels[i];
    if (!(Number.isInteger(label) && label >= 0 && label < classes)) throw new ShapeError(`measureGaps: label ${i} is ${label}, not a class in 0…${classes - 1}`);
    angles[i] = Math.atan2(y, x) * DEGREE;
    members[label].push(i);
    let best = -1;
    let bestCos = -Infinity;
    for (let j = 0; j < classes; j++) {
      const cos = (x * centres[2 * j] + y * centres[2 * j + 1]) / (r * Math.hypot(centres[2 * j], centres[2 * j + 1]));
      if (cos > bestCos) [best, bestCos] = [j, cos];
    }
    if (best !== label) wrong++;
  }
  const arcs = members.map((idx, label): ClassArc => {
    if (idx.length === 0) throw new ShapeError(`measureGaps: class ${label} has no feature`);
    let [sx, sy] = [0, 0];
    for (const i of idx) {
      sx += Math.cos(angles[i] / DEGREE);
      sy += Math.sin(angles[i] / DEGREE);
    }
    const centre = ((Math.atan2(sy, sx) * DEGREE) % 360 + 360) % 360;
    const relative = Float64Array.from(idx, (i) => wrapSigned(angles[i] - centre)).sort();
    return { label, count: idx.length, centre, start: quantileSorted(relative, ARC_PERCENTILES[0]), end: quantileSorted(relative, ARC_PERCENTILES[1]) };
  });
  const order = [...arcs].sort((a, b) => a.centre - b.centre || a.label - b.label);
  const gaps = order.map((a, k): ClassGap => {
    const b = order[(k + 1) % order.length];
    const apart = (((b.centre - a.centre) % 360) + 360) % 360;
    return { from: a.label, to: b.label, degrees: apart + b.start - a.end };
  });
  const degrees = gaps.map((g) => g.degrees);
  return {
    arcs,
    gaps,
    minGap: Math.min(...degrees),
    meanGap: degrees.reduce((s, v) => s + v, 0) / degrees.length,
    closerToOther: n === 0 ? 0 : wrong / n,
  };
}
