/** Activation modules: `ReLU` (no parameters) and `PReLU` (a learned negative slope). */
import { prelu } from '../ops/prelu.js';
import { relu } from '../ops/relu.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { constant, type Initializer } from './init.js';
import { assertFeatures } from './linear.js';
import type { ApplyOptions, ApplyResult, Module, Variables } from './module.js';
import { requireTensor, type Params } from './params.js';

/** y = max(x, 0). */
export class ReLU implements Module {
  /** No parameters, no state. */
  init(_rng: Random): Variables {
    return { params: {}, state: {} };
  }

  /** max(x, 0) elementwise. */
  apply(_params: Params, x: Tensor, options: ApplyOptions = {}): ApplyResult {
    return { y: relu(x), state: options.state ?? {} };
  }
}

/** Options of `PReLU`. */
export interface PReLUOptions {
  /** Initializer of the slopes (default 0.25, as PyTorch and the SphereFace/ArcFace backbones). */
  init?: Initializer;
}

/** y = x > 0 ? x : α·x, with param `alpha` of shape [slopes]: one per column, or 1 shared. */
export class PReLU implements Module {
  private readonly alphaInit: Initializer;

  /** `slopes` is the input width (a slope per column) or 1 (one shared slope). */
  constructor(
    /** Number of slopes. */
    readonly slopes: number,
    options: PReLUOptions = {},
  ) {
    assertFeatures('PReLU', 'slopes', slopes);
    this.alphaInit = options.init ?? constant(0.25);
  }

  /** `{ params: { alpha }, state: {} }`. */
  init(rng: Random): Variables {
    return { params: { alpha: this.alphaInit([this.slopes], rng) }, state: {} };
  }

  /** prelu(x, alpha). */
  apply(params: Params, x: Tensor, options: ApplyOptions = {}): ApplyResult {
    return { y: prelu(x, requireTensor(params, 'alpha', [this.slopes], 'PReLU')), state: options.state ?? {} };
  }
}
