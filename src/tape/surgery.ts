/**
 * Gradient surgery: the two places where arcgrad's backward pass deliberately does not compute
 * the derivative of the forward pass. They are not ops (the registry's ops are exact), so they
 * live with the tape, and their behaviour is tested directly (test/tape/surgery.test.ts).
 */
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertTensor, recordNode } from './tape.js';

/**
 * The value of `x`, cut off from the tape: nothing flows back through it (JAX's
 * `stop_gradient`, PyTorch's `detach`).
 */
export function stopGradient(x: Tensor): Tensor {
  assertTensor(x, 'stopGradient');
  return x.backend.reshape(x, x.shape); // a new tensor on the same storage, not recorded
}

/**
 * The value of `value`, with the gradient of `through`: the backward pass treats the map
 * through ↦ value as the identity. This is insightface arcface_torch's margin under
 * `torch.no_grad()` (and opensphere's): the margin changes the forward logit only, and
 * ∂target/∂cos θ is taken as 1. `value` itself receives no gradient. Why and what it changes:
 * docs/losses.md#gradients.
 */
export function straightThrough(value: Tensor, through: Tensor): Tensor {
  assertTensor(value, 'straightThrough: value');
  assertTensor(through, 'straightThrough: through');
  if (value.rank !== through.rank || value.shape.some((d, i) => d !== through.shape[i])) {
    throw new ShapeError(
      `straightThrough: value has shape ${formatShape(value.shape)} but through has ${formatShape(through.shape)}`,
    );
  }
  const out = value.backend.reshape(value, value.shape);
  recordNode({ op: 'straightThrough', inputs: [['through', through]], output: out, vjp: (dy) => ({ through: () => dy }) });
  return out;
}
