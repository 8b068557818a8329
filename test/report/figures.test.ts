import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError, OptionError, ShapeError } from '../../src/tensor/errors.js';
import { roc } from '../../src/eval/verification.js';
import { ARCFACE_FALLBACK_CURVES, LOSS_CURVES, targetLogitCurves, type Curve } from '../../src/report/curves.js';
import {
  angleHistogramFigure,
  decisionBoundaryFigure,
  embeddingScatterFigure,
  rocFigure,
  targetLogitFigure,
} from '../../src/report/figures.js';

/** Throws unless every tag is closed in order (a light well-formedness check; vega escapes text). */
function expectWellFormedSvg(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  const stack: string[] = [];
  for (const [, close, name, selfClose] of svg.matchAll(/<(\/?)([\w:-]+)(?:\s[^>]*?)?(\/?)>/g)) {
    if (selfClose) continue;
    if (!close) stack.push(name);
    else if (stack.pop() !== name) throw new Error(`</${name}> closes the wrong element`);
  }
  expect(stack).toEqual([]);
}

/** The texts of the legend labels (not the aria-labels of the marks, which also name series). */
function legendLabels(svg: string): string[] {
  return [...svg.matchAll(/role-legend-label[^>]*>(.*?)<\/g>/gs)].flatMap(([, inner]) =>
    [...inner.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(([, t]) => t),
  );
}

const count = (svg: string, role: string) => svg.split(`aria-roledescription="${role}"`).length - 1;

describe('targetLogitCurves', () => {
  it('evaluates the angularMargin op on θ ∈ [0, π]', () => {
    const [soft, sphere, cosface, arcface, combined] = targetLogitCurves(LOSS_CURVES, 5); // θ = 0, π/4, π/2, 3π/4, π
    expect(Array.from(soft.theta)).toEqual([0, Math.PI / 4, Math.PI / 2, (3 * Math.PI) / 4, Math.PI]);
    expect(cosface.value[0]).toBeCloseTo(1 - 0.35, 12);
    expect(arcface.value[2]).toBeCloseTo(-Math.sin(0.5), 12); // cos(π/2 + 0.5)
    expect(arcface.value[4]).toBeCloseTo(-Math.cos(0.5), 12); // 'none': rises back to −cos m at π
    expect(combined.value[0]).toBeCloseTo(Math.cos(0.3) - 0.2, 12);
    // SphereFace as trained: (5·cos θ + ψ(θ))/6
    expect(sphere.value[4]).toBeCloseTo((5 * -1 + -7) / 6, 12); // ψ at 4π: k = 4, cos 4π − 8
    expect(sphere.value[1]).toBeCloseTo((5 * Math.SQRT1_2 + -1) / 6, 12); // ψ at π: k = 1, −cos π − 2
    // 'thmm' below cos(π − 0.5): c − 0.5·sin(π − 0.5)
    const thmm = targetLogitCurves([ARCFACE_FALLBACK_CURVES[1]], 5)[0];
    expect(thmm.value[4]).toBeCloseTo(-1 - 0.5 * Math.sin(0.5), 12);
    expect(() => targetLogitCurves(LOSS_CURVES, 1)).toThrow(OptionError);
  });
});

describe('figures', () => {
  const losses = targetLogitCurves(LOSS_CURVES, 91);
  const fallbacks = targetLogitCurves(ARCFACE_FALLBACK_CURVES, 91);
  const svgs: Record<string, string> = {};
  const points = [1, 0, 0, 2, -3, 0.1, 0.5, 0.5, 0, -1, 1, 1];
  const labels = [0, 1, 2, 0, 1, 2];

  beforeAll(async () => {
    // Rendered once and shared: vega takes tens of milliseconds per figure.
    svgs.logit = await targetLogitFigure([
      { title: 'Losses', curves: losses },
      { title: 'ArcFace fallbacks', curves: fallbacks },
    ]);
    svgs.boundary = await decisionBoundaryFigure(losses);
    svgs.scatter = await embeddingScatterFigure([
      { title: 'Softmax panel', points, labels },
      { title: 'ArcFace panel', points: points.map((v) => -v), labels },
    ]);
    svgs.hist = await angleHistogramFigure(
      [
        { stage: 'epoch 1', angles: [10, 20, 100].map((d) => (d * Math.PI) / 180) },
        { stage: 'epoch 9', angles: [(170 * Math.PI) / 180] },
      ],
      { binDegrees: 90 },
    );
    const r = roc([0.9, 0.8, 0.7, 0.1, 0.85, 0.2], [true, false, true, false, true, false]);
    svgs.roc = await rocFigure([
      { name: 'ArcFace roc', far: r.far, tar: r.tar },
      { name: 'chance', far: [0, 0.01, 1], tar: [0, 0.01, 1] },
    ]);
  });

  it('all render as well-formed SVG', () => {
    for (const svg of Object.values(svgs)) expectWellFormedSvg(svg);
  });

  it('target logits: one legend entry per loss and per ArcFace fallback policy', () => {
    expect(legendLabels(svgs.logit)).toEqual([...LOSS_CURVES, ...ARCFACE_FALLBACK_CURVES].map((c) => c.name));
    expect(count(svgs.logit, 'line mark')).toBe(LOSS_CURVES.length + ARCFACE_FALLBACK_CURVES.length);
  });

  it('target logits: SphereFace as trained (λ = 5) stays on the axis; the bare ψ would be cut', async () => {
    expect(svgs.logit).not.toContain('cut at'); // (5·cos π + ψ(π))/6 = −2, the axis's end
    const bare = targetLogitCurves([{ ...LOSS_CURVES[1], name: 'bare psi', lambda: 0 }], 91);
    expect(await targetLogitFigure([{ title: 'ψ', curves: bare }])).toContain('cut at -2: bare psi'); // ψ(π) = −7
  });

  it('θ axes in degrees every 30°, radians beside, the training window shaded', () => {
    for (const svg of [svgs.logit, svgs.boundary]) {
      const labels = [...svg.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map(([, t]) => t);
      for (const [deg, rad] of [['0°', '(0.00)'], ['30°', '(0.52)'], ['90°', '(1.57)'], ['180°', '(3.14)']]) {
        expect(labels).toContain(deg);
        expect(labels[labels.indexOf(deg) + 1]).toBe(rad);
      }
    }
    // one shaded band per target-logit panel, 30° to 90° of its 300-pixel, 180° axis
    const bands = [...svgs.logit.matchAll(/aria-roledescription="rect mark" d="M([\d.]+),0h([\d.]+)v240/g)];
    expect(bands.map(([, x, w]) => [Number(x), Number(w)])).toEqual([[50, 100], [50, 100]]);
    expect(svgs.logit).toContain('shaded: θ_y during training, 30°–90°');
    // two bands (θ1 and θ2 in the window) per decision-boundary panel
    expect(count(svgs.boundary, 'rect mark')).toBe(2 * LOSS_CURVES.length);
  });

  it('decision boundaries: a panel per loss, both class boundaries and the diagonal', () => {
    expect(legendLabels(svgs.boundary)).toEqual([
      'class 1 boundary: f(θ1) = cos θ2',
      'class 2 boundary: f(θ2) = cos θ1',
      "fold-back: f rises again past φ = π ('none')",
      'no margin: θ1 = θ2',
    ]);
    for (const c of LOSS_CURVES) expect(svgs.boundary).toContain(`>${c.name}</text>`);
    // one line per piece: both classes and the diagonal in every panel, and ArcFace's two fold-backs
    expect(count(svgs.boundary, 'line mark')).toBe(3 * LOSS_CURVES.length + 2);
  });

  it('decision boundaries: no segment along the θ = π edges, where f < −1 has no solution', () => {
    // the panels are 200 px: θ2 = π is y = 0, θ1 = π is x = 200. Before, CosFace, SphereFace and the
    // combined margin ran along those edges (arccos of a clamped f); a line may now touch them only
    // at a point, never over a stretch.
    const lines = [...svgs.boundary.matchAll(/aria-roledescription="line mark"[^>]*d="(M[^"]+)"/g)].map(([, d]) =>
      d.slice(1).split('L').map((p) => p.split(',').map(Number)),
    );
    expect(lines.length).toBe(3 * LOSS_CURVES.length + 2);
    for (const points of lines) {
      for (let k = 1; k < points.length; k++) {
        const [[x0, y0], [x1, y1]] = [points[k - 1], points[k]];
        expect(y0 === 0 && y1 === 0, `segment along θ2 = π at x ${x0}–${x1}`).toBe(false);
        expect(x0 === 200 && x1 === 200, `segment along θ1 = π at y ${y0}–${y1}`).toBe(false);
      }
    }
  });

  it('scatter: every point drawn, classes in the legend, two panels', () => {
    expect(count(svgs.scatter, 'point')).toBe(2 * labels.length);
    expect(legendLabels(svgs.scatter)).toEqual(['0', '1', '2']);
    expect(svgs.scatter).toContain('>Softmax panel</text>');
    expect(svgs.scatter).toContain('>ArcFace panel</text>');
  });

  it('scatter on the circle: centre rays, class arcs, degrees around, panels in rows, named classes', async () => {
    const panel = (title: string) => ({
      title,
      points,
      labels,
      centres: [1, 0, 0, 1, -1, -1],
      arcs: [{ label: 0, from: -20, to: 30 }, { label: 2, from: 200, to: 250 }],
    });
    const svg = await embeddingScatterFigure([panel('A'), panel('B'), panel('C')], { columns: 2, degreeStep: 90, classNames: ['一', '二', '三'], legendTitle: 'identity', describePoints: false });
    expectWellFormedSvg(svg);
    expect(svg).not.toContain('NaN');
    for (const t of ['A', 'B', 'C']) expect(svg).toContain(`>${t}</text>`);
    expect(legendLabels(svg)).toEqual(['一', '二', '三']);
    // per panel: 3 centre rays (the 4 degree ticks are drawn without labels), 2 arcs, the degrees 0°, 90°, 180°, 270°
    expect(count(svg, 'rule mark')).toBe(3 * 3);
    expect(count(svg, 'line mark')).toBe(3 * 2);
    for (const d of ['0°', '90°', '180°', '270°']) expect(svg.split(`>${d}</text>`).length - 1).toBe(3);
    expect(svg).not.toContain('>45°</text>');
    expect(count(svg, 'point')).toBe(0); // described: false, the points carry no labels…
    expect(svg.split('d="M2.739,0A2.739').length - 1).toBe(3 * labels.length); // …but are all drawn
    // columns: 2 wraps the third panel into a second row: narrower and taller than one row of three
    const size = (markup: string) => /<svg[^>]*width="([\d.]+)" height="([\d.]+)"/.exec(markup)!.slice(1).map(Number);
    const oneRow = size(await embeddingScatterFigure([panel('A'), panel('B'), panel('C')], { degreeStep: 90 }));
    const [width, height] = size(svg);
    expect(width).toBeLessThan(oneRow[0]);
    expect(height).toBeGreaterThan(oneRow[1]);
    await expect(embeddingScatterFigure([{ ...panel('bad'), arcs: [{ label: 0, from: 10, to: 400 }] }])).rejects.toThrow(DomainError);
    await expect(embeddingScatterFigure([{ ...panel('bad'), centres: [0, 0] }])).rejects.toThrow(DomainError);
    await expect(embeddingScatterFigure([panel('p')], { columns: 0 })).rejects.toThrow(OptionError);
  });

  it('histograms: one bar per non-empty bin and stage', () => {
    // 90° bins: epoch 1 fills [0, 90) twice and [90, 180] once, epoch 9 fills [90, 180]: 3 bars
    expect(count(svgs.hist, 'bar')).toBe(3);
    expect(legendLabels(svgs.hist)).toEqual(['epoch 1', 'epoch 9']);
  });

  it('ROC: a line per series on a log FAR axis', () => {
    expect(legendLabels(svgs.roc)).toEqual(['ArcFace roc', 'chance']);
    expect(svgs.roc).toContain('FAR (log scale)');
    expect(count(svgs.roc, 'line mark')).toBe(2);
  });

  it('reject bad input with typed errors', async () => {
    const bad: Curve = { name: 'bad', theta: Float64Array.of(0, 1), value: Float64Array.of(0, NaN) };
    await expect(targetLogitFigure([{ title: 'x', curves: [bad] }])).rejects.toThrow(DomainError);
    await expect(targetLogitFigure([])).rejects.toThrow(ShapeError);
    await expect(decisionBoundaryFigure([{ ...bad, value: Float64Array.of(0) }])).rejects.toThrow(ShapeError);
    await expect(embeddingScatterFigure([{ title: 'p', points: [1, 2, 3], labels: [0, 1] }])).rejects.toThrow(ShapeError);
    await expect(embeddingScatterFigure([{ title: 'p', points: [0, 0], labels: [0] }])).rejects.toThrow(DomainError);
    await expect(angleHistogramFigure([{ stage: 's', angles: [4] }])).rejects.toThrow(DomainError);
    await expect(angleHistogramFigure([{ stage: 's', angles: [] }])).rejects.toThrow(ShapeError);
    await expect(rocFigure([{ name: 'r', far: [0, 1], tar: [0] }])).rejects.toThrow(ShapeError);
    await expect(rocFigure([{ name: 'r', far: [0], tar: [0] }])).rejects.toThrow(ShapeError);
    await expect(rocFigure([{ name: 'r', far: [0.5], tar: [2] }])).rejects.toThrow(DomainError);
  });
});
