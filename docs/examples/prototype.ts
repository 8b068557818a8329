/**
 * The walk-through of docs/prototype-your-own-margin.md: MagFace written from its paper with
 * `defineMargin`, then its figure, its gradient check, `arcgrad check` on the CPU and on gpu.js,
 * and a short training run. docs/examples/prototype.test.ts asserts every number the page shows
 * and that this margin equals the library's `magFace` example.
 */
import {
  Random, acos, add, addScalar, clamp, cos, defineMargin, div, gradcheck, mul, randomNormal, scale, sum, type MarginContext, type Tensor,
} from '../../src/index.js';
import { definedMarginCurves, targetLogitFigure } from '../../src/report/index.js';

// 1. The idea, as a margin: the target logit and the regularizer, from the paper's equations.

type MagParams = { s: number; la: number; ua: number; lm: number; um: number; lambdaG: number };

/** a = ‖x‖ clamped to [l_a, u_a], on the tape: the loss pulls on the feature norm through it. */
const magnitude = (ctx: MarginContext<MagParams>) => clamp(ctx.featureNorms, ctx.params.la, ctx.params.ua);

export const myMagFace = defineMargin<MagParams>({
  name: 'my-magface',
  citation: 'Meng et al., MagFace, CVPR 2021 (arXiv 2103.06627); IrvingMeng/MagFace models/magface.py',
  defaults: { s: 64, la: 10, ua: 110, lm: 0.45, um: 0.8, lambdaG: 35 },
  // f = cos(θ + m(a)),  m(a) = (u_m − l_m)/(u_a − l_a)·(a − l_a) + l_m
  targetLogit: (cosTarget, ctx) => {
    const { la, ua, lm, um } = ctx.params;
    const m = addScalar(scale(addScalar(magnitude(ctx), -la), (um - lm) / (ua - la)), lm);
    return cos(add(acos(cosTarget), m));
  },
  // λ_g · mean g(a),  g(a) = a/u_a² + 1/a   (over the rows with a label)
  regularizer: (ctx) => {
    const { ua, lambdaG } = ctx.params;
    const a = magnitude(ctx);
    const n = a.shape[0];
    const labelled: number[] = Array.from(ctx.labels, (y) => (y >= 0 ? 1 : 0));
    const g = add(scale(a, 1 / (ua * ua)), div(a.backend.fill([n], 1, a.dtype), a));
    const count = labelled.reduce((p, v) => p + v, 0);
    return scale(sum(mul(g, a.backend.fromArray(labelled, [n], a.dtype))), count > 0 ? lambdaG / count : 0);
  },
  curves: (p) => [p.la, (p.la + p.ua) / 2, p.ua].map((a) => ({ label: `a = ${a}`, featureNorm: a })),
});

// 2. The figure: f(θ) at the three magnitudes, by the head's own targetLogit.

/** The curves (θ from 0 to π in `points` steps) and the SVG of the figure. */
export async function figure(points = 181): Promise<{ curves: ReturnType<typeof definedMarginCurves>; svg: string }> {
  const curves = definedMarginCurves(myMagFace, {}, points);
  const svg = await targetLogitFigure([{ title: 'my-magface: f(θ) at three feature norms', curves }]);
  return { curves, svg };
}

/** Writes the figure's SVG to `path`. */
export async function writeFigure(path: string): Promise<void> {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path, (await figure()).svg);
}

// 3. The gradient check: the tape against central finite differences, every element of X and W.

/** A problem whose feature norms lie inside [l_a, u_a] = [10, 110], so that ‖x‖ gets gradient. */
export function problem(): { x: Tensor; w: Tensor; labels: number[] } {
  const rng = new Random(7);
  return { x: scale(randomNormal([4, 8], rng), 20), w: randomNormal([5, 8], rng), labels: [0, 3, 1, -1] };
}

export function checkGradients() {
  const { x, w, labels } = problem();
  const head = myMagFace.head();
  return gradcheck((a: Tensor, b: Tensor) => head.loss(a, b, labels), [x, w]);
}

// 4. The command line: the margin's module named with --margin-module, as a user's file would be.

/** This file, as `--margin-module` takes it (a user passes their own compiled .js file). */
export const MODULE = 'docs/examples/prototype.ts';

/** `arcgrad check --emit` one case of my-magface, then check it on the CPU (float64) and on gpu.js (float32). */
export async function checkCases(): Promise<{ emit: string; cpu: string; gpu: string; status: number[] }> {
  const { arcgrad, folder } = await import('./checking.js');
  const path = `${folder}/my-magface.json`;
  const emitted = await arcgrad('check', '--emit', path, '--margins', 'my-magface', '--margin-module', MODULE);
  const cpu = await arcgrad('check', path, '--margin-module', MODULE);
  const gpu = await arcgrad('check', path, '--margin-module', MODULE, '--backend', 'gpu.js:webasm', '--dtype', 'float32');
  return { emit: emitted.out, cpu: cpu.out, gpu: gpu.out, status: [emitted.status, cpu.status, gpu.status] };
}

/**
 * `arcgrad train --margin-module … --loss my-magface --quick` with the magnitude bounds scaled to
 * the demo's 32-d embeddings (see the page), then `arcgrad eval --json`.
 */
export async function trainAndEvaluate(): Promise<{ train: string; eval: Record<string, number>; status: number[] }> {
  const { arcgrad, folder } = await import('./checking.js');
  const out = `${folder}/runs/my-magface`;
  const trained = await arcgrad('train', '--margin-module', MODULE, '--loss', 'my-magface', '--margin-params', '{"la": 2.5, "ua": 27.5}', '--quick', '--out', out);
  const evaluated = await arcgrad('eval', out, '--json');
  return { train: trained.out, eval: JSON.parse(evaluated.out), status: [trained.status, evaluated.status] };
}
