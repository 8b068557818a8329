/**
 * `Sequential`: named child modules applied in order, each child's parameters and state scoped
 * by its name (`fc0.w`, `bn.mean`). The backbones (`MLP`, `ConvNet`) are Sequentials whose
 * constructors build the layer list.
 */
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ApplyOptions, ApplyResult, Module, Variables } from './module.js';
import { scope, unscope, type Params } from './params.js';

/** A stack of named children, applied in order. */
export class Sequential implements Module {
  /** [name, module] in forward order. */
  readonly layers: readonly (readonly [string, Module])[];

  /** The children, in forward order, with unique names. */
  constructor(layers: readonly (readonly [string, Module])[]) {
    this.layers = layers;
  }

  /** Every child's variables, scoped by its name; children draw from `rng` in forward order. */
  init(rng: Random): Variables {
    const params: Record<string, Tensor> = {};
    const state: Record<string, Tensor> = {};
    for (const [name, layer] of this.layers) {
      const v = layer.init(rng);
      Object.assign(params, scope(name, v.params));
      Object.assign(state, scope(name, v.state));
    }
    return { params, state };
  }

  /** The children in order; the returned state collects each child's. */
  apply(params: Params, x: Tensor, { training = false, state = {} }: ApplyOptions = {}): ApplyResult {
    const next: Record<string, Tensor> = {};
    let y = x;
    for (const [name, layer] of this.layers) {
      const out = layer.apply(unscope(name, params), y, { training, state: unscope(name, state) });
      Object.assign(next, scope(name, out.state));
      y = out.y;
    }
    return { y, state: next };
  }
}
