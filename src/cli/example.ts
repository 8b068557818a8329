/**
 * `arcgrad example`: the README's example, runnable. An ArcFace head on a few random features,
 * its loss and gradients from the tape, and the same gradients checked by finite differences.
 */
import { formatOptions, parseArgs, type OptionSpec } from './args.js';
import { Random } from '../tensor/random.js';
import { randomNormal } from '../tensor/create.js';
import { valueAndGrad } from '../tape/grad.js';
import { gradcheck } from '../tape/gradcheck.js';
import { angularMargin, clamp, crossEntropy, l2Normalize, matmul, pickColumns, replaceColumns, scale } from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';

const specs: Record<string, OptionSpec> = {
  seed: { type: 'number', help: 'random seed', default: 1 },
  help: { type: 'boolean', help: 'show this help' },
};

/** Runs the example; returns 0 when the gradient check passes. */
export function runExample(argv: string[]): number {
  const { options } = parseArgs(argv, specs, 'example');
  if (options.help) {
    console.log(`Usage: arcgrad example [options]\n\n${formatOptions(specs)}`);
    return 0;
  }
  const rng = new Random(Number(options.seed));
  const [n, d, c] = [4, 8, 5];
  const x = randomNormal([n, d], rng);
  const w = randomNormal([c, d], rng);
  const labels = [0, 3, 1, 4];
  const s = 64;

  // ArcFace: logits s·cos θ_j, with the target's cos θ_y replaced by cos(θ_y + 0.5).
  const arcface = (x: Tensor, w: Tensor): Tensor => {
    const cosines = clamp(matmul(l2Normalize(x), l2Normalize(w), { transB: true }), -1, 1);
    const target = angularMargin(pickColumns(cosines, labels), { m1: 1, m2: 0.5, m3: 0 });
    return crossEntropy(scale(replaceColumns(cosines, target, labels), s), labels);
  };

  const { value, grads } = valueAndGrad(arcface)(x, w);
  console.log(`ArcFace loss (s = 64, m = 0.5) on N=${n}, d=${d}, C=${c}: ${value.item()}`);
  console.log(`‖dL/dX‖∞ = ${Math.max(...grads[0].toArray().map(Math.abs)).toExponential(3)}, ‖dL/dW‖∞ = ${Math.max(...grads[1].toArray().map(Math.abs)).toExponential(3)}`);
  const check = gradcheck(arcface, [x, w]);
  for (const r of check.inputs) {
    console.log(`gradcheck input ${r.index === 0 ? 'X' : 'W'}: ${r.checked} elements, max relative error ${r.maxRelError.toExponential(2)} → ${r.ok ? 'ok' : 'FAILED'}`);
  }
  return check.ok ? 0 : 1;
}
