/**
 * The README's example, as a file that `tsc` checks and docs/examples/examples.test.ts runs.
 * It differs from the README's code block only in the import path (this file imports the
 * sources, the README imports the package) and in the parameter types, which the README omits.
 */
import { Random, randomNormal, valueAndGrad, gradcheck, clamp, matmul, l2Normalize,
         pickColumns, angularMargin, replaceColumns, scale, crossEntropy, type Tensor } from '../../src/index.js';

const rng = new Random(1);
const x = randomNormal([4, 8], rng);   // features, N×d
const w = randomNormal([5, 8], rng);   // class centers, C×d
const labels = [0, 3, 1, 4];

// ArcFace: logits s·cos θ_j, with the target's cos θ_y replaced by cos(θ_y + 0.5).
const arcface = (x: Tensor, w: Tensor) => {
  const cosines = clamp(matmul(l2Normalize(x), l2Normalize(w), { transB: true }), -1, 1);
  const target = angularMargin(pickColumns(cosines, labels), { m1: 1, m2: 0.5, m3: 0 });
  return crossEntropy(scale(replaceColumns(cosines, target, labels), 64), labels);
};

const { value, grads: [dX, dW] } = valueAndGrad(arcface)(x, w);
console.log(gradcheck(arcface, [x, w]).ok); // true: the tape agrees with central differences

export { arcface, x, w, labels, value, dX, dW };
