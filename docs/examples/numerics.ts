/**
 * The numbers of docs/numerics.md. Each function returns what the page quotes;
 * docs/examples/numerics.test.ts asserts them and checks that the page shows them.
 */
import {
  acos, angularMargin, arcface, clamp, cosface, crossEntropy, gradcheck, matmul, l2Normalize, normface, sphereface,
  relativeError, tensor, valueAndGrad, type DType, type Tensor,
} from '../../src/index.js';

/** d acos(x)/dx at x = 1, as the tape returns it in each dtype. */
export function acosSlopeAtOne(dtype: DType): number {
  return valueAndGrad((x: Tensor) => acos(x))(tensor([1], [1], { dtype })).grads[0].item();
}

/** The gradient of clamp(x, −1, 1) at its inclusive boundary x = 1 and just outside it. */
export function clampSlopes(): { atOne: number; outside: number } {
  const slope = (v: number) => valueAndGrad((x: Tensor) => clamp(x, -1, 1))(tensor([v])).grads[0].item();
  return { atOne: slope(1), outside: slope(1 + 2 ** -52) };
}

/** df/dcos θ of the margin op at cos θ = ±1 (the limit m1²·cos φ / cos θ where sin φ → 0 too). */
export function marginSlope(c: number, options: { m1: number; m2: number; m3: number; fallback?: 'none' | 'psi' }): number {
  return valueAndGrad((t: Tensor) => angularMargin(t, options))(tensor([c])).grads[0].item();
}

/** x exactly along its class center: finite gradients for every head, and do they pass gradcheck? */
export function alignedFeature(): { head: string; finite: boolean; gradcheck: boolean }[] {
  const w = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  const x = tensor([[2, 0, 0], [0, 3, 0]]); // x̂ = ŵ_y for both rows: cos θ_y = 1
  return [normface(), cosface(), sphereface(), arcface()].map((head) => {
    const f = (a: Tensor, b: Tensor) => head.loss(a, b, [0, 1]);
    const { grads } = valueAndGrad(f)(x, w);
    return {
      head: head.name,
      finite: grads.every((g) => g.toArray().every(Number.isFinite)),
      gradcheck: gradcheck(f, [x, w], { directions: 4, atol: 1e-5 }).ok,
    };
  });
}

/** How far normalize(x)·normalize(w) lands outside [−1, 1] in float32, over a few vectors x = w. */
export function cosineOvershoot(): { largest: number; aboveOne: number } {
  const rows: number[][] = [];
  for (let k = 1; k <= 200; k++) rows.push([Math.sin(k), Math.cos(3 * k), 0.1 * k, Math.sin(7 * k)]);
  const x = tensor(rows, undefined, { dtype: 'float32' });
  const raw = matmul(l2Normalize(x), l2Normalize(x), { transB: true }).toArray();
  const diagonal = rows.map((_, i) => raw[i * rows.length + i]);
  return { largest: Math.max(...diagonal), aboveOne: diagonal.filter((v) => v > 1).length };
}

/**
 * Saturation: one row, target logit s·cos θ_y = 64·0.9, nine others at 64·(−0.2).
 * The naive formulas −log p_y and p_y − 1 against arcgrad's crossEntropy.
 */
export function saturation(): { arcgradLoss: number; naiveLoss: number; arcgradTargetGrad: number; naiveTargetGrad: number } {
  const z = [64 * 0.9, ...Array(9).fill(64 * -0.2)];
  const logits = tensor([z]);
  const { value, grads } = valueAndGrad((t: Tensor) => crossEntropy(t, [0]))(logits);
  const m = Math.max(...z);
  const total = z.reduce((s, v) => s + Math.exp(v - m), 0);
  const pY = Math.exp(z[0] - m) / total;
  return { arcgradLoss: value.item(), naiveLoss: -Math.log(pY), arcgradTargetGrad: grads[0].toArray()[0], naiveTargetGrad: pY - 1 };
}


/** Where exp overflows: ln of the largest float32 and float16, and the two plateau constants. */
export function overflowAndPlateaus(): { float32: number; float16: number; insightface: number; caffe: number } {
  const float32Max = (2 - 2 ** -23) * 2 ** 127;
  const float16Max = 65504;
  const flt32Min = 2 ** -126; // Caffe's FLT_MIN, the smallest normal float32
  return { float32: Math.log(float32Max), float16: Math.log(float16Max), insightface: -Math.log(1e-30), caffe: -Math.log(flt32Min) };
}

/** s = 64, worst case: logits in [−64, 64]. arcgrad's loss and gradient in float32 stay finite. */
export function float32AtScale64(): { loss: number; finite: boolean } {
  const z = tensor([[-64, 64, 0, -64]], undefined, { dtype: 'float32' });
  const { value, grads } = valueAndGrad((t: Tensor) => crossEntropy(t, [0]))(z);
  return { loss: value.item(), finite: grads[0].toArray().every(Number.isFinite) };
}

/** The smallest non-zero angle acos(1 − ulp below 1) in fp16, fp32 and fp64. */
export function smallestAngles(): { float16: number; float16Degrees: number; float32: number; float64: number } {
  return { float16: Math.acos(1 - 2 ** -11), float16Degrees: (Math.acos(1 - 2 ** -11) * 180) / Math.PI, float32: Math.acos(1 - 2 ** -24), float64: Math.acos(1 - 2 ** -53) };
}

/**
 * Conditioning near |cos θ| = 1. Two correct float64 implementations routinely disagree in the
 * last bit of cos θ (another summation order in the dot product). Moving c by one float changes
 * the exact ArcFace slope m1·sin φ / sin θ by about ulp(c)·|cos θ| / sin²θ, relatively.
 */
export function oneUlpApart(theta: number): { relativeChange: number; predicted: number } {
  const slope = (c: number) => Math.sin(Math.acos(c) + 0.5) / Math.sqrt((1 - c) * (1 + c));
  const c = Math.cos(theta);
  const ulp = 2 ** -53; // the gap between floats just below 1
  const next = c - ulp;
  return { relativeChange: relativeError(slope(next), slope(c)), predicted: (ulp * Math.abs(c)) / Math.sin(theta) ** 2 };
}
