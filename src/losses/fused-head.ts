/**
 * The margin head's loss and both gradients in one call, differentiated by the tape: on a backend
 * with a fused head (the wasm backend, the gpu.js backend) and float32 tensors, of the one
 * `marginHead` op (`fusedMarginLoss`), whose forward runs the backend's fused head and whose VJP
 * hands back its gradients, so this is the fused step; elsewhere of the composition of ops. Both compute the same thing (test/backend/head.test.ts and the conformance suite hold the
 * fused heads to the composition on the float64 CPU reference at float32 tolerance).
 */
import type { HeadResult } from '../backend/head.js';
import type { Labels } from '../ops/_labels.js';
import { valueAndGrad } from '../tape/grad.js';
import type { Tensor } from '../tensor/tensor.js';
import { canFuseHead, checkHeadInputs, composedMarginLoss, fusedMarginLoss } from './margin-head.js';
import type { MarginOptions } from './options.js';

export { headSpec } from './margin-head.js';

/**
 * Loss and gradients of the margin head for features X (N×d), class centers W (C×d) and labels
 * (−1 = ignored row): the backend's fused head where it has one and X is float32, else the tape.
 */
export function marginHeadStep(x: Tensor, w: Tensor, labels: Labels, options: MarginOptions): HeadResult {
  const y = checkHeadInputs('marginHeadStep', x, w, labels);
  const loss = canFuseHead(x, w) ? fusedMarginLoss : composedMarginLoss;
  const { value, grads } = valueAndGrad((a: Tensor, b: Tensor) => loss(a, b, y, options))(x, w);
  return { loss: value.item(), dX: grads[0], dW: grads[1] };
}
