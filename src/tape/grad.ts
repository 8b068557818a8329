/**
 * The functional entry points, in the style of JAX and tfjs: `valueAndGrad(f)` returns a function
 * that computes f and its gradients with respect to every argument; `grad(f)` only the
 * gradients; `vjp(f, xs, dy)` pulls back a given cotangent for non-scalar outputs. The tape lives
 * only inside these calls, so there is no `zeroGrad` to forget.
 */
import { TapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Tape, assertTensor, recordOn } from './tape.js';

/** A function of tensors that returns a tensor. */
export type TensorFunction = (...xs: Tensor[]) => Tensor;

/** What `valueAndGrad(f)(...xs)` returns. */
export interface ValueAndGrad {
  /** f(...xs). */
  value: Tensor;
  /** df/dxs[i] for every argument, each of its argument's shape. */
  grads: Tensor[];
}

function run(f: TensorFunction, xs: readonly Tensor[], where: string): { tape: Tape; value: Tensor } {
  xs.forEach((x, i) => assertTensor(x, `${where}: argument ${i}`));
  const tape = new Tape();
  for (const x of xs) tape.watch(x);
  const value = recordOn(tape, () => f(...xs));
  assertTensor(value, `${where}: the function's result`);
  return { tape, value };
}

/**
 * `valueAndGrad(f)(...xs)` → `{ value: f(xs), grads: [∂f/∂x₀, ∂f/∂x₁, …] }`. `f` must return a
 * scalar (shape [] or [1]); use `vjp` for other outputs.
 *
 * How the tape computes it: [ops.md, the tape](../../docs/ops.md#tape) and [the VJP contract](../../docs/ops.md#the-vjp-contract).
 *
 * @example
 * ```ts
 * import { tensor, valueAndGrad, mul, sum } from 'arcgrad';
 * const f = (x, y) => sum(mul(x, y)); // f = Σ x·y: ∂f/∂x = y, ∂f/∂y = x
 * const { value, grads: [dx, dy] } = valueAndGrad(f)(tensor([1, 2, 3]), tensor([4, 5, 6]));
 * console.log(value.item(), String(dx.toArray()), String(dy.toArray())); // → 32 4,5,6 1,2,3
 * ```
 */
export function valueAndGrad(f: TensorFunction): (...xs: Tensor[]) => ValueAndGrad {
  return (...xs) => {
    const { tape, value } = run(f, xs, 'valueAndGrad');
    if (value.size !== 1) {
      throw new TapeError(
        `valueAndGrad: f must return a scalar, got shape ${formatShape(value.shape)}; use vjp() with a cotangent`,
      );
    }
    const seed = value.backend.fill(value.shape, 1, value.dtype);
    return { value, grads: tape.backward(value, xs, seed) };
  };
}

/** `grad(f)(...xs)` → `[∂f/∂x₀, ∂f/∂x₁, …]` for a scalar-valued `f`. */
export function grad(f: TensorFunction): (...xs: Tensor[]) => Tensor[] {
  const vg = valueAndGrad(f);
  return (...xs) => vg(...xs).grads;
}

/**
 * The vector-Jacobian product of any `f`: `{ value: f(xs), grads: [dyᵀ·∂f/∂x₀, …] }`, where `dy`
 * has the shape of f's output.
 */
export function vjp(f: TensorFunction, xs: readonly Tensor[], dy: Tensor): ValueAndGrad {
  assertTensor(dy, 'vjp: the cotangent dy');
  const { tape, value } = run(f, xs, 'vjp');
  return { value, grads: tape.backward(value, xs, dy) };
}
