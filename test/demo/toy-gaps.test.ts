/**
 * The toy's gap measure on hand-computed cases: classes at known angles with features spread
 * evenly over known arcs, so every percentile, gap and misassigned share is known in closed form.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNIT_ROUNDOFF, relativeError, tolerance } from '../../src/check/tolerance.js';
import { measureGaps, quantileSorted } from '../../src/demo/toy-gaps.js';
import { DomainError, ShapeError } from '../../src/tensor/errors.js';
import { PROPERTY_RUNS } from '../support/runs.js';

const PER_CLASS = 101;

/** Class c: PER_CLASS features evenly spaced over centre ± halfWidth (degrees), at radius 2 + c (only directions count). */
function classes(centres: readonly number[], halfWidths: readonly number[]) {
  const points: number[] = [];
  const labels: number[] = [];
  centres.forEach((centre, c) => {
    for (let k = 0; k < PER_CLASS; k++) {
      const a = ((centre - halfWidths[c] + (2 * halfWidths[c] * k) / (PER_CLASS - 1)) * Math.PI) / 180;
      points.push((2 + c) * Math.cos(a), (2 + c) * Math.sin(a));
      labels.push(c);
    }
  });
  const w = centres.flatMap((d) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]);
  return { points, labels, w };
}

// With 101 evenly spaced values on [−h, h], the type-7 1st percentile is the second value, −0.98·h,
// and the 99th is +0.98·h; so the gap from class a to the next class b, (b − a) degrees apart, is
// (b − a) − 0.98·(h_a + h_b).
const SHRINK = 0.98;
// The computed gaps come from cos/sin of degrees, atan2 back, and a circular mean summing 101 unit
// vectors: an absolute error of (101 + a few) roundings of angles of size 360°.
const gapTolerance = tolerance(1e-12, { u: UNIT_ROUNDOFF.float64, scale: 360, roundings: PER_CLASS + 8 });

describe('measureGaps', () => {
  it('4 classes 90° apart with arcs of ±10°, ±20°, ±5°, ±49.5°: the gaps, their minimum and mean, the misassigned share', () => {
    const half = [10, 20, 5, 49.5];
    const { points, labels, w } = classes([0, 90, 180, 270], half);
    const m = measureGaps(points, labels, w);
    expect(m.gaps.map((g) => [g.from, g.to])).toEqual([[0, 1], [1, 2], [2, 3], [3, 0]]);
    const expected = [0, 1, 2, 3].map((a) => 90 - SHRINK * (half[a] + half[(a + 1) % 4])); // 60.6, 65.5, 36.59, 31.69
    expect(relativeError(m.gaps.map((g) => g.degrees), expected, gapTolerance.floor)).toBeLessThanOrEqual(gapTolerance.rel);
    expect(relativeError([m.minGap, m.meanGap], [31.69, (360 - 2 * SHRINK * (10 + 20 + 5 + 49.5)) / 4], gapTolerance.floor)).toBeLessThanOrEqual(gapTolerance.rel);
    expect(relativeError(m.arcs.map((a) => [a.start, a.end]).flat(), half.flatMap((h) => [-SHRINK * h, SHRINK * h]), gapTolerance.floor)).toBeLessThanOrEqual(gapTolerance.rel);
    // class 3's features beyond ±45° of 270° are nearer 180° or 0°: 5 on each side (−49.5 + 0.99k for k = 0…4)
    expect(m.closerToOther).toBe(10 / (4 * PER_CLASS));
  });

  it('does not depend on where the circle starts: rotated by 350° (class 0 straddles 0°), the same gaps', () => {
    const half = [10, 20, 5, 49.5];
    const measure = (c: ReturnType<typeof classes>) => measureGaps(c.points, c.labels, c.w);
    const base = measure(classes([0, 90, 180, 270], half));
    const turned = measure(classes([350, 80, 170, 260], half));
    const byFrom = (m: typeof base) => [...m.gaps].sort((a, b) => a.from - b.from).map((g) => g.degrees);
    expect(relativeError(byFrom(turned), byFrom(base), gapTolerance.floor)).toBeLessThanOrEqual(gapTolerance.rel);
    expect(turned.closerToOther).toBe(base.closerToOther);
  });

  it('overlapping arcs give a negative gap', () => {
    const { points, labels, w } = classes([0, 30], [20, 20]);
    const m = measureGaps(points, labels, w);
    expect(relativeError(m.gaps.map((g) => g.degrees), [30 - SHRINK * 40, 330 - SHRINK * 40], gapTolerance.floor)).toBeLessThanOrEqual(gapTolerance.rel);
    expect(m.minGap).toBeLessThan(0);
  });

  it('quantiles interpolate between order statistics', () => {
    expect(quantileSorted([0, 10], 0.25)).toBe(2.5);
    expect(quantileSorted([1, 2, 3], 0.5)).toBe(2);
    expect(quantileSorted([4], 0.99)).toBe(4);
    expect(() => quantileSorted([], 0.5)).toThrow(ShapeError);
  });

  it('bad input is a typed error', () => {
    const w = [1, 0, 0, 1];
    expect(() => measureGaps([1, 0, 0], [0, 1], w)).toThrow(ShapeError);
    expect(() => measureGaps([1, 0, 0, 0], [0, 1], w)).toThrow(DomainError);
    expect(() => measureGaps([1, 0, 0, 1], [0, 0], w)).toThrow(/class 1 has no feature/);
    expect(() => measureGaps([1, 0, 0, 1], [0, 2], w)).toThrow(ShapeError);
    expect(() => measureGaps([1, 0], [0], [1, 0])).toThrow(ShapeError);
  });
});

describe('measureGaps, properties', () => {
  // C classes with centres at least 25° apart (k·360/C ± 10°), each with 3–30 features within
  // ±(1…40)° of its centre, at radii 0.5–5 (only directions count).
  const sample = fc.integer({ min: 2, max: 8 }).chain((classes) =>
    fc.record({
      jitter: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: classes, maxLength: classes }),
      spread: fc.array(fc.double({ min: 1, max: 40, noNaN: true }), { minLength: classes, maxLength: classes }),
      features: fc.array(fc.array(fc.record({ at: fc.double({ min: -1, max: 1, noNaN: true }), r: fc.double({ min: 0.5, max: 5, noNaN: true }) }), { minLength: 3, maxLength: 30 }), { minLength: classes, maxLength: classes }),
      turn: fc.double({ min: 0, max: 360, noNaN: true, maxExcluded: true }),
      stretch: fc.double({ min: 0.5, max: 3, noNaN: true }),
    }),
  );
  const rad = Math.PI / 180;
  /** Points, labels and centres, all turned by `turn` degrees and the points scaled by `stretch`. */
  function build(c: { jitter: number[]; spread: number[]; features: { at: number; r: number }[][] }, turn: number, stretch: number) {
    const classes = c.jitter.length;
    const centre = (k: number) => (k * 360) / classes + c.jitter[k] + turn;
    const points = c.features.flatMap((fs, k) => fs.flatMap(({ at, r }) => [stretch * r * Math.cos((centre(k) + at * c.spread[k]) * rad), stretch * r * Math.sin((centre(k) + at * c.spread[k]) * rad)]));
    const labels = c.features.flatMap((fs, k) => fs.map(() => k));
    const w = c.jitter.flatMap((_, k) => [Math.cos(centre(k) * rad), Math.sin(centre(k) * rad)]);
    return measureGaps(points, labels, w);
  }

  it('the mean gap is (360° − the arcs\' total width)/C, and turning and scaling the features moves no gap', () => {
    fc.assert(
      fc.property(sample, ({ turn, stretch, ...c }) => {
        const classes = c.jitter.length;
        const m = build(c, 0, 1);
        // Σ over the cycle of (centre_b − centre_a mod 360°) is 360° up to two roundings per term.
        const identity = tolerance(1e-12, { u: UNIT_ROUNDOFF.float64, scale: 360, roundings: 4 * classes + 4 });
        const widths = m.arcs.reduce((sum, a) => sum + a.end - a.start, 0);
        expect(relativeError(m.meanGap, (360 - widths) / classes, identity.floor)).toBeLessThanOrEqual(identity.rel);
        // Each side's circular mean sums n unit vectors (n roundings of a direction, conditioned by
        // 1/R̄, R̄ ≥ sin 40°/(40° in radians) = 0.92 for features within ±40°), then cos, sin and
        // atan2 of angles of size 360°: two computations compared.
        const n = Math.max(...c.features.map((f) => f.length));
        const moved = tolerance(1e-12, { u: UNIT_ROUNDOFF.float64, scale: 360, roundings: 2 * (n + 8), condition: 1 / 0.92 });
        const turned = build(c, turn, stretch);
        const byFrom = (g: typeof m) => [...g.gaps].sort((a, b) => a.from - b.from);
        expect(byFrom(turned).map((g) => g.to)).toEqual(byFrom(m).map((g) => g.to)); // the same neighbours
        expect(relativeError(byFrom(turned).map((g) => g.degrees), byFrom(m).map((g) => g.degrees), moved.floor)).toBeLessThanOrEqual(moved.rel);
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });
});
