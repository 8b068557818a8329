/**
 * Parameters as plain data: a model's trainable tensors are a flat `Params` record keyed by
 * dotted names (`fc0.w`, `bn.gamma`), and its non-trainable buffers (batch-norm running
 * statistics) a `State` record of the same form. Nothing here holds mutable state, so a training
 * step is `params → params'` and `valueAndGrad` differentiates with respect to the record's values
 * (see `valueAndGradParams`). Flat records also make checkpoints and optimizer state trivial.
 */
import { valueAndGrad } from '../tape/grad.js';
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';

/** Trainable tensors by dotted name. */
export type Params = Readonly<Record<string, Tensor>>;

/** Non-trainable tensors (running statistics) by dotted name. */
export type State = Readonly<Record<string, Tensor>>;

/** `record` with every key prefixed by `prefix.` (how a parent names a child's parameters). */
export function scope(prefix: string, record: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(record)) out[`${prefix}.${k}`] = v;
  return out;
}

/** The entries of `record` under `prefix.`, with the prefix removed (the inverse of `scope`). */
export function unscope(prefix: string, record: Readonly<Record<string, Tensor>>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  const head = `${prefix}.`;
  for (const [k, v] of Object.entries(record)) if (k.startsWith(head)) out[k.slice(head.length)] = v;
  return out;
}

/**
 * `record[name]` after checking that it exists and has `shape`; `where` names the layer in the
 * ShapeError. Layers call this instead of trusting the record, so that a params object from the
 * wrong model fails with the parameter's name rather than inside an op three calls later.
 */
export function requireTensor(
  record: Readonly<Record<string, Tensor>>,
  name: string,
  shape: readonly number[],
  where: string,
): Tensor {
  const t = record[name];
  if (t === undefined) {
    const have = Object.keys(record);
    throw new ShapeError(`${where}: missing '${name}' (have: ${have.length > 0 ? have.join(', ') : 'nothing'})`);
  }
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`${where}: '${name}' has shape ${formatShape(t.shape)}, expected ${formatShape(shape)}`);
  }
  return t;
}

/** The number of scalars in a record (a model's parameter count). */
export function countParams(record: Readonly<Record<string, Tensor>>): number {
  let n = 0;
  for (const t of Object.values(record)) n += t.size;
  return n;
}

/** What `valueAndGradParams(f)(params)` returns. */
export interface ParamsValueAndGrad {
  /** f(params), a scalar. */
  value: Tensor;
  /** ∂f/∂params[k] for every key k, each of its parameter's shape. */
  grads: Record<string, Tensor>;
}

/**
 * `valueAndGrad` for a function of a whole params record: the record's values become the
 * differentiated arguments, and the gradients come back keyed like the record.
 */
export function valueAndGradParams(f: (params: Params) => Tensor): (params: Params) => ParamsValueAndGrad {
  return (params) => {
    const names = Object.keys(params);
    const rebuild = (xs: readonly Tensor[]): Params => Object.fromEntries(names.map((n, i) => [n, xs[i]]));
    const { value, grads } = valueAndGrad((...xs) => f(rebuild(xs)))(...names.map((n) => params[n]));
    return { value, grads: Object.fromEntries(names.map((n, i) => [n, grads[i]])) };
  };
}
