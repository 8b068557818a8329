/**
 * marginHead: the whole margin head — the mean loss L of features X (N×d) under class centers W
 * (C×d) and labels y — as ONE op with its own VJP, in the spirit of jax.custom_vjp. Its forward
 * asks the tensor's backend for the fused head (`Backend.fusedMarginHead`, one `HeadSpec` in, one
 * `HeadResult` out: L, ∂L/∂X and ∂L/∂W in one pass) and keeps the two gradients; its VJP returns
 * them scaled by the cotangent:
 *
 *   y = L(X, W)        dX = dy·∂L/∂X        dW = dy·∂L/∂W        (dy a scalar)
 *
 * The reference is the composition of registered ops that `reference` computes (for the margin
 * losses: `marginLoss`'s l2Normalize → matmul → clamp → pickColumns → angularMargin →
 * replaceColumns → scale → crossEntropy, src/losses/margin-head.ts). On a backend without a fused
 * head, or for float64 tensors, the forward differentiates that composition with the tape instead
 * (nothing else records meanwhile), so the op is defined everywhere and the conformance suite
 * holds every fused implementation to the composition on the float64 CPU reference.
 * Derivation: docs/ops.md#marginhead
 */
import type { HeadResult, HeadSpec } from '../backend/head.js';
import { valueAndGrad } from '../tape/grad.js';
import { withoutRecording } from '../tape/tape.js';
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { angularMargin, angularMarginKernel, angularMarginSlopeKernel, FALLBACK_POLICIES } from './angular-margin.js';
import { clamp } from './clamp.js';
import { crossEntropy } from './cross-entropy.js';
import { l2Normalize } from './l2-normalize.js';
import { toLabels, type Labels } from './_labels.js';
import { matmul } from './matmul.js';
import { defineOp } from './op.js';
import { pickColumns } from './pick-columns.js';
import { replaceColumns } from './replace-columns.js';
import { scale } from './scale.js';

/** The attributes of marginHead: what the fused head computes, and the composition it must equal. */
export interface MarginHeadAttrs {
  /** One class per row of X, −1 to ignore the row. */
  readonly labels: Labels;
  /** What the fused head computes (s, ε, the target logit and its slope, λ, gradient mode, filtering). */
  readonly spec: HeadSpec;
  /** The same loss as a composition of registered ops: the reference, and the forward where no fused head runs. */
  readonly reference: (x: Tensor, w: Tensor, labels: Int32Array) => Tensor;
}

/** The gradients each forward computed, kept for its VJP (weakly: they go with the loss tensor). */
const stored = new WeakMap<Tensor, HeadResult>();

/** A small CosFace/NormFace head for the property tests: its spec and its composition (s = 4). */
function sampleHead(m3: number): Pick<MarginHeadAttrs, 'spec' | 'reference'> {
  const s = 4, eps = 1e-12, none = FALLBACK_POLICIES.indexOf('none');
  return {
    spec: {
      s, eps, lambda: 0, straightThrough: false, filterThreshold: 0,
      target: { value: angularMarginKernel, valueParams: [1, 0, m3, none], slope: angularMarginSlopeKernel, slopeParams: [1, 0, none, 2 ** -24] },
    },
    reference: (x, w, y) => {
      const cosines = clamp(matmul(l2Normalize(x, eps), l2Normalize(w, eps), { transB: true }), -1, 1);
      const target = angularMargin(pickColumns(cosines, y), { m1: 1, m2: 0, m3 });
      return crossEntropy(scale(replaceColumns(cosines, target, y), s), y);
    },
  };
}

const rows = { x: { shape: ['n', 'd'], rowNormAtLeast: 0.5 }, w: { shape: ['c', 'd'], rowNormAtLeast: 0.5 } } as const;
const labels = { kind: 'labels', rows: 'n', classes: 'c', ignore: true } as const;

export const marginHeadOp = defineOp<'x' | 'w', MarginHeadAttrs>({
  name: 'marginHead',
  summary: 'the whole margin head (loss of X under W) as one op: fused on the backend, custom VJP',
  docs: 'docs/ops.md#marginhead',
  inputs: ['x', 'w'],
  domain: [
    { name: 'CosFace, m3 = 0.35', dims: { d: [2, 5] }, inputs: rows, attrs: { labels, spec: { kind: 'const', value: sampleHead(0.35).spec }, reference: { kind: 'const', value: sampleHead(0.35).reference } } },
    { name: 'NormFace', dims: { d: [2, 5] }, inputs: rows, attrs: { labels, spec: { kind: 'const', value: sampleHead(0).spec }, reference: { kind: 'const', value: sampleHead(0).reference } } },
  ],
  validate({ x, w }, { labels: y }) {
    if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[1] || x.size === 0 || w.size === 0) {
      throw new ShapeError(`marginHead: need features X [N,d] and class centers W [C,d] with one d ≥ 1, got X ${formatShape(x.shape)} and W ${formatShape(w.shape)}`);
    }
    toLabels('marginHead', y, x.shape[0], w.shape[0]);
  },
  forward(be, { x, w }, { labels: y, spec, reference }) {
    const lab = toLabels('marginHead', y, x.shape[0], w.shape[0]);
    const fused = be.fusedMarginHead;
    let r: HeadResult;
    if (fused !== undefined && x.dtype === 'float32') {
      r = fused.call(be, x, w, lab, spec);
    } else {
      r = withoutRecording(() => {
        const { value, grads } = valueAndGrad((a: Tensor, b: Tensor) => reference(a, b, lab))(x, w);
        return { loss: value.item(), dX: grads[0], dW: grads[1] };
      });
    }
    const loss = be.fromArray([r.loss], [], x.dtype);
    stored.set(loss, r);
    return loss;
  },
  vjp: (be, _x, loss, dy) => {
    const r = stored.get(loss) as HeadResult;
    // dy is a scalar: one affine pass, none at all when dy = 1 (a loss differentiated directly)
    const times = (g: Tensor) => { const k = dy.item(); return k === 1 ? g : be.affine(g, k, 0); };
    return { x: () => times(r.dX), w: () => times(r.dW) };
  },
});

/**
 * The margin head's mean loss as one differentiable op (see the file header): fused on a backend
 * that has a fused head (float32), `reference` differentiated by the tape elsewhere.
 */
export function marginHead(x: Tensor, w: Tensor, labels: Labels, spec: HeadSpec, reference: MarginHeadAttrs['reference']): Tensor {
  return marginHeadOp.apply({ x, w }, { labels, spec, reference });
}
