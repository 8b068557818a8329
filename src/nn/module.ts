/**
 * The layer contract, in the functional style of JAX/flax: a module is configuration only (sizes,
 * options) and two pure functions.
 *
 *   const { params, state } = model.init(new Random(seed));
 *   const { y, state: next } = model.apply(params, x, { training: true, state });
 *
 * `params` are what the optimizer trains; `state` holds buffers that only the forward pass updates
 * (batch-norm running statistics). `apply` never mutates anything: the caller decides whether
 * to keep the returned state (training) or discard it (evaluation returns the state unchanged).
 */
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Params, State } from './params.js';

/** A module's parameters and buffers, as returned by `init`. */
export interface Variables {
  /** Trainable tensors. */
  params: Params;
  /** Non-trainable buffers ({} for stateless modules). */
  state: State;
}

/** Options of `Module.apply`. */
export interface ApplyOptions {
  /** Training mode: batch statistics are used and running statistics updated (default false). */
  training?: boolean;
  /** The buffers from `init` or the previous `apply` (required by stateful modules). */
  state?: State;
}

/** What `Module.apply` returns. */
export interface ApplyResult {
  /** The output. */
  y: Tensor;
  /** The buffers after this call (the input state, unchanged, outside training). */
  state: State;
}

/** A layer or network: configuration plus pure `init` and `apply`. */
export interface Module {
  /** Fresh parameters and buffers, drawn from `rng`. */
  init(rng: Random): Variables;
  /** The forward pass. */
  apply(params: Params, x: Tensor, options?: ApplyOptions): ApplyResult;
}
