/**
 * The optimizer contract. An optimizer is configuration plus two pure functions over flat
 * records of tensors:
 *
 *   let state = opt.init(params);
 *   ({ params, state } = opt.step(params, grads, state, { lr }));
 *
 * Its state (step count, momentum buffers, moment estimates) is tensors, keyed
 * `step` and `<slot>.<param name>`, so it checkpoints exactly like the parameters.
 *
 * A step is all-or-nothing: `runStep` validates every input first (gradients present, of the
 * right shape and dtype, finite; state matching the params; a sane learning rate), then computes
 * every new tensor into fresh records, then checks that every result is finite, and only then
 * returns. Nothing is mutated at any point, so a step that throws leaves the caller's params and
 * state exactly as they were, and the caller can skip the batch or stop.
 */
import { scalar } from '../tensor/create.js';
import { assertTensor } from '../tape/tape.js';
import { DTypeError, DomainError, OptionError, ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Params } from '../nn/params.js';

/** Optimizer state: `step` (a scalar count) and per-parameter slots `<slot>.<name>`. */
export type OptState = Readonly<Record<string, Tensor>>;

/** Options of one `step`. */
export interface StepOptions {
  /** Learning rate for this step (a schedule's value); default the optimizer's `lr`. */
  lr?: number;
}

/** What `step` returns: new records (the inputs are untouched). */
export interface StepResult {
  /** Updated parameters. */
  params: Record<string, Tensor>;
  /** Updated optimizer state. */
  state: Record<string, Tensor>;
}

/** An optimizer: its name and configuration (plain data, for checkpoints) and init/step. */
export interface Optimizer {
  /** 'sgd', 'adam' or 'adamw'. */
  readonly name: string;
  /** The hyperparameters, as plain JSON-able data. */
  readonly config: Readonly<Record<string, number | boolean>>;
  /** Default learning rate. */
  readonly lr: number;
  /** Fresh state for `params` (zeros; step 0). */
  init(params: Params): OptState;
  /** One update; throws a typed error and changes nothing on bad input. */
  step(params: Params, grads: Params, state: OptState, options?: StepOptions): StepResult;
}

/** What a `ParamUpdate` is given besides the tensors. */
export interface UpdateContext {
  /** This step's learning rate. */
  lr: number;
  /** Steps already taken (0 on the first). */
  t: number;
}

/** What a `ParamUpdate` returns for one parameter. */
export interface UpdatedParam {
  /** The parameter's new value. */
  p: Tensor;
  /** Its new slot tensors, by slot name. */
  slots: Record<string, Tensor>;
}

/** The per-parameter update an optimizer defines: new value and new slots for one tensor. */
export type ParamUpdate = (p: Tensor, g: Tensor, slots: Readonly<Record<string, Tensor>>, ctx: UpdateContext) => UpdatedParam;

/**
 * `alpha·x + beta·y` in one backend pass (`Backend.axpby`): the optimizers' updates, each the
 * exact result of the scale-and-add composition it replaces, without its intermediate tensors.
 */
export function axpby(x: Tensor, alpha: number, y: Tensor, beta: number): Tensor {
  return x.backend.axpby(x, alpha, y, beta);
}

/** Throws an OptionError unless `v` is a finite number in [lo, hi]. */
export function checkRange(where: string, name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new OptionError(`${where}: ${name} must be a finite number in [${lo}, ${hi}], got ${String(v)}`);
  }
  return v;
}

function sameShape(a: Tensor, b: Tensor): boolean {
  return a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

/** Fresh state: step 0 and a zero tensor per slot and parameter. */
export function initState(params: Params, slotNames: readonly string[]): Record<string, Tensor> {
  const state: Record<string, Tensor> = { step: scalar(0) };
  for (const slot of slotNames) {
    for (const [name, p] of Object.entries(params)) state[`${slot}.${name}`] = p.backend.fill(p.shape, 0, p.dtype);
  }
  return state;
}

/** Throws unless `r` is a record of tensors (what params, grads and state must be). */
function checkRecord(where: string, what: string, r: unknown): void {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) {
    throw new OptionError(`${where}: ${what} must be a record of tensors by name, got ${r === null ? 'null' : Array.isArray(r) ? 'an array' : typeof r}`);
  }
  for (const [name, t] of Object.entries(r)) assertTensor(t, `${where}: ${what} '${name}'`);
}

function validate(where: string, params: Params, grads: Params, state: OptState, slotNames: readonly string[], lr: number): number {
  checkRange(where, 'lr', lr, 0, Number.MAX_VALUE);
  checkRecord(where, 'params', params);
  checkRecord(where, 'grads', grads);
  checkRecord(where, 'state', state);
  const names = Object.keys(params);
  for (const name of Object.keys(grads)) {
    if (!(name in params)) throw new ShapeError(`${where}: gradient for '${name}', which is not a parameter`);
  }
  for (const name of names) {
    const p = params[name];
    const g = grads[name];
    if (g === undefined) throw new ShapeError(`${where}: no gradient for parameter '${name}'`);
    if (!sameShape(p, g)) {
      throw new ShapeError(`${where}: gradient of '${name}' has shape ${formatShape(g.shape)}, the parameter ${formatShape(p.shape)}`);
    }
    if (g.dtype !== p.dtype) throw new ShapeError(`${where}: gradient of '${name}' is ${g.dtype}, the parameter ${p.dtype}`);
    if (g.backend !== p.backend) throw new DTypeError(`${where}: gradient of '${name}' lives on ${g.backend.name}, the parameter on ${p.backend.name}`);
    if (!g.backend.allFinite(g)) throw new DomainError(`${where}: gradient of '${name}' contains NaN or ±Inf; nothing was updated`);
    for (const slot of slotNames) {
      const s = state[`${slot}.${name}`];
      if (s === undefined || !sameShape(s, p)) {
        throw new ShapeError(`${where}: state has no ${slot} buffer of shape ${formatShape(p.shape)} for '${name}' (state of another model?)`);
      }
      if (s.dtype !== p.dtype || s.backend !== p.backend) {
        throw new DTypeError(`${where}: the ${slot} buffer of '${name}' is ${s.dtype} on ${s.backend.name}, the parameter ${p.dtype} on ${p.backend.name}`);
      }
    }
  }
  const step = state.step;
  const t = step?.size === 1 ? step.item() : Number.NaN;
  if (!Number.isInteger(t) || t < 0) throw new ShapeError(`${where}: state.step must be a scalar count ≥ 0, got ${String(t)}`);
  return t;
}

/**
 * The all-or-nothing step shared by every optimizer: validate, compute everything, check the
 * results, return new records. `update` gets t = the number of steps already taken.
 */
export function runStep(
  where: string,
  slotNames: readonly string[],
  update: ParamUpdate,
  params: Params,
  grads: Params,
  state: OptState,
  lr: number,
): StepResult {
  const t = validate(where, params, grads, state, slotNames, lr);
  const nextParams: Record<string, Tensor> = {};
  const nextState: Record<string, Tensor> = { step: scalar(t + 1) };
  for (const [name, p] of Object.entries(params)) {
    const slots = Object.fromEntries(slotNames.map((s) => [s, state[`${s}.${name}`]]));
    const out = update(p, grads[name], slots, { lr, t });
    nextParams[name] = out.p;
    for (const s of slotNames) nextState[`${s}.${name}`] = out.slots[s];
  }
  for (const [name, v] of [...Object.entries(nextParams), ...Object.entries(nextState)]) {
    if (!v.backend.allFinite(v)) throw new DomainError(`${where}: the update of '${name}' overflowed (not finite); nothing was updated`);
  }
  return { params: nextParams, state: nextState };
}
