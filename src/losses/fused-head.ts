/**
 * The margin head's loss and both gradients in one call: on a backend with a fused head (the
 * gpu.js backend, src/backend/gpujs/head.ts) the whole step runs as a few kernels with nothing
 * read back but the results; on any other backend it is `marginLoss` differentiated by the tape.
 * Both compute the same thing (test/backend/head.test.ts holds the fused path to the tape on the
 * float64 CPU reference at float32 tolerance).
 */
import type { HeadResult, HeadSpec } from '../backend/head.js';
import { angularMarginKernel, angularMarginSlopeKernel, FALLBACK_POLICIES } from '../ops/angular-margin.js';
import type { Labels } from '../ops/_labels.js';
import { valueAndGrad } from '../tape/grad.js';
import { unitRoundoff } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkHeadInputs, marginLoss } from './margin-head.js';
import { assertNoTapeOnlyOptions, resolveMarginOptions, type MarginOptions } from './options.js';

/** The fused head's description of `options` (validated, defaults filled in) for float32 kernels. */
export function headSpec(options: MarginOptions, where = 'headSpec'): HeadSpec {
  const o = resolveMarginOptions(options, where);
  assertNoTapeOnlyOptions(o, where);
  const policy = FALLBACK_POLICIES.indexOf(o.fallback);
  return {
    s: o.s,
    eps: o.eps,
    lambda: o.lambda,
    straightThrough: o.gradient === 'straight-through',
    filterThreshold: o.interclassFilteringThreshold,
    target: {
      value: angularMarginKernel,
      valueParams: [o.m1, o.m2, o.m3, policy],
      slope: angularMarginSlopeKernel,
      slopeParams: [o.m1, o.m2, policy, unitRoundoff('float32')],
    },
  };
}

/**
 * Loss and gradients of the margin head for features X (N×d), class centers W (C×d) and labels
 * (−1 = ignored row): the backend's fused head where it has one and X is float32, else the tape.
 */
export function marginHeadStep(x: Tensor, w: Tensor, labels: Labels, options: MarginOptions): HeadResult {
  const y = checkHeadInputs('marginHeadStep', x, w, labels);
  const fused = x.backend.fusedMarginHead;
  if (fused !== undefined && x.dtype === 'float32' && w.backend === x.backend) {
    return fused.call(x.backend, x, w, y, headSpec(options, 'marginHeadStep'));
  }
  const { value, grads } = valueAndGrad((a, b) => marginLoss(a, b, y, options))(x, w);
  return { loss: value.item(), dX: grads[0], dW: grads[1] };
}
