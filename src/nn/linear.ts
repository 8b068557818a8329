/** `Linear`: the fully connected layer y = x·Wᵀ + b, with W [out, in] as in PyTorch. */
import { linear } from '../ops/linear.js';
import { matmul } from '../ops/matmul.js';
import { OptionError } from '../tensor/errors.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { constant, xavierUniform, type Initializer } from './init.js';
import type { ApplyOptions, ApplyResult, Module, Variables } from './module.js';
import { requireTensor, type Params } from './params.js';

/** Options of `Linear`. */
export interface LinearOptions {
  /** Learn a bias b (default true). */
  bias?: boolean;
  /** Initializer of W (default `xavierUniform()`). */
  weightInit?: Initializer;
  /** Initializer of b (default zeros). */
  biasInit?: Initializer;
}

/** Checks that a layer size is a positive integer. */
export function assertFeatures(where: string, name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new OptionError(`${where}: ${name} must be an integer ≥ 1, got ${String(n)}`);
}

/** y = x·Wᵀ + b for x [N, in]; params `w` [out, in] and (with bias) `b` [out]. */
export class Linear implements Module {
  private readonly options: Required<LinearOptions>;

  /** A layer from `inFeatures` to `outFeatures`. */
  constructor(
    /** Input width. */
    readonly inFeatures: number,
    /** Output width. */
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    assertFeatures('Linear', 'inFeatures', inFeatures);
    assertFeatures('Linear', 'outFeatures', outFeatures);
    this.options = { bias: true, weightInit: xavierUniform(), biasInit: constant(0), ...options };
  }

  /** `{ params: { w, b? }, state: {} }`; W is drawn before b. */
  init(rng: Random): Variables {
    const w = this.options.weightInit([this.outFeatures, this.inFeatures], rng);
    const params: Record<string, Tensor> = { w };
    if (this.options.bias) params.b = this.options.biasInit([this.outFeatures], rng);
    return { params, state: {} };
  }

  /** x·Wᵀ + b. */
  apply(params: Params, x: Tensor, options: ApplyOptions = {}): ApplyResult {
    const w = requireTensor(params, 'w', [this.outFeatures, this.inFeatures], 'Linear');
    const y = this.options.bias
      ? linear(x, w, requireTensor(params, 'b', [this.outFeatures], 'Linear'))
      : matmul(x, w, { transB: true });
    return { y, state: options.state ?? {} };
  }
}
