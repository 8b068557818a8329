/**
 * defineMargin: a new angular-margin loss in a few lines. The user writes the target logit
 * f(cos θ_y) (and, when the margin touches them, the non-target logits) with arcgrad's ops; the
 * gradient comes from the tape, so no derivative is written by hand and `gradcheck` can check it.
 *
 * The head built from a definition computes, for features X (N×d), centers W (C×d), labels y:
 *
 *   cos θ  = clamp(normalize(X)·normalize(W)ᵀ, −1, 1)            (N×C, as the built-in head)
 *   f      = targetLogit(cos θ_y, ctx)                           ([N], one per row)
 *   logits = s · (logits hook ?? replaceColumns(cos θ, f, y))    (N×C)
 *   L      = crossEntropy(logits, y) + regularizer(ctx)          (rows with y = −1 ignored)
 *
 * `ctx` gives what adaptive margins need: the cosine matrix, the labels, the feature norms ‖x_i‖
 * and the class-weight norms ‖w_j‖ (each as a tensor on the tape, for margins that differentiate through them like MagFace, and as
 * plain numbers for statistics), the resolved parameters, and a mutable per-head `state`.
 *
 * State (running means and the like) is updated in the forward pass on plain numbers, outside the
 * gradient: it is a constant for the tape, as PyTorch's buffers updated under no_grad. It must be
 * plain JSON data (numbers, strings, booleans, null, arrays and objects of them), so that a
 * training checkpoint can hold it (`saveState` / `loadState`) and a resumed run continues with
 * the same running statistics. A head has `training` (true by default); with `training = false`
 * the hooks must not update state (they see `ctx.training`), which is how a gradient check freezes
 * the running statistics — a finite difference evaluates the loss many times and would otherwise
 * see a moving function. A forward pass that throws (a hook's result that overflows, a wrong
 * shape…) leaves the state as it was before the call: the hooks' updates are undone.
 *
 * A margin defined with another copy of arcgrad (a second install in node_modules) records its
 * ops on that copy's tape, where this copy's backward pass never sees them: its gradient would
 * silently be missing. `registerMargin` refuses such a margin with an OptionError that says so.
 *
 * The built-in combined margin (margin-head.ts) is not built on this: it stays as it is.
 */
import { add, crossEntropy, pickColumns, replaceColumns, reshape, scale, sum } from '../ops/index.js';
import type { Labels } from '../ops/_labels.js';
import { ArcgradError, OptionError, ShapeError, formatShape } from '../tensor/errors.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertTensor } from '../tape/tape.js';
import { checkHeadInputs, cosineMatrix, rowNorms } from './margin-head.js';

/** A margin's parameter values: numbers, flags or names, all JSON-able so that runs can record them. */
export type MarginParams = Record<string, number | boolean | string>;

/** The parameter every margin has: the scale s of the logits. */
export interface ScaleParam {
  /** The scale s (> 0). */
  s: number;
}

/** What the hooks of a defined margin see for one forward pass. */
export interface MarginContext<P extends MarginParams = MarginParams, S extends object = Record<string, unknown>> {
  /** The N×C cosine matrix cos θ (on the tape). */
  readonly cosines: Tensor;
  /** The labels, −1 for ignored rows. */
  readonly labels: Int32Array;
  /** ‖x_i‖ of the raw features as a [N] tensor on the tape (gradient flows into X through it). */
  readonly featureNorms: Tensor;
  /** ‖x_i‖ as plain numbers: constants for the tape, for batch statistics. */
  readonly featureNormValues: Float64Array;
  /** ‖w_j‖ of the raw class centers as a [C] tensor on the tape (L-Softmax-style margins scale by it; gradient flows into W). */
  readonly weightNorms: Tensor;
  /** ‖w_j‖ as plain numbers (constants for the tape). */
  readonly weightNormValues: Float64Array;
  /** The resolved parameters (defaults with the head's overrides). */
  readonly params: Readonly<P>;
  /** The head's mutable state (running statistics); update it only when `training` is true. */
  readonly state: S;
  /** Whether this forward may update `state` (false while a gradient check runs, and for curves). */
  readonly training: boolean;
}

/** Where a margin's reference code differs from its paper: the overrides that reproduce the code, and why. */
export interface ReferenceBehaviour<P extends MarginParams> {
  /** Parameter overrides under which the head computes what the reference code computes. */
  overrides: Partial<P>;
  /** The differences, one sentence each (shown in docs and reports). */
  differences: string[];
}

/** One curve a figure draws for a margin: its target logit f(θ) at one setting (see `targetLogitCurvesOf` in src/report). */
export interface DefinedCurveSpec<P extends MarginParams, S extends object> {
  /** Legend entry. */
  label: string;
  /** Parameter overrides for this curve (e.g. σ = 0 to draw ElasticFace's mean margin). */
  params?: Partial<P>;
  /** ‖x‖ of the sample (default 1). */
  featureNorm?: number;
  /** State to draw it in (keys not given keep their initial values). */
  state?: Partial<S>;
}

/** The definition passed to `defineMargin`. */
export interface MarginDefinition<P extends MarginParams, S extends object> {
  /** The name under which `registerMargin` registers it and case files name it ([a-z0-9-]+). */
  name: string;
  /** Display name for tables and legends (default: `name`). */
  label?: string;
  /** The paper and reference code its formula and defaults come from (shown by tools, required). */
  citation: string;
  /** The published defaults; every head resolves overrides against them. `s` (the scale) is required. */
  defaults: P & ScaleParam;
  /** Optional: the reference code's behaviour where it differs from the paper (the defaults follow the paper). */
  reference?: ReferenceBehaviour<P>;
  /** The target logit f (before the scale s) from the target cosines cos θ_y ([N]). */
  targetLogit: (cosTarget: Tensor, ctx: MarginContext<P, S>) => Tensor;
  /**
   * Optional: the N×C logits before the scale, given the target logits — for margins that change
   * the non-target logits too (CurricularFace). Default: cos θ with column y_i replaced by f_i.
   */
  logits?: (target: Tensor, ctx: MarginContext<P, S>) => Tensor;
  /** Optional: a scalar added to the mean cross-entropy (MagFace's λ_g·mean g(a)). */
  regularizer?: (ctx: MarginContext<P, S>) => Tensor;
  /** The initial state of a new head (default {}); plain JSON data. */
  initState?: (params: Readonly<P>) => S;
  /** Optional check of the resolved parameters; throw an OptionError naming the field. */
  validate?: (params: Readonly<P>) => void;
  /**
   * Optional: the curves that show the margin in a target-logit figure, given the resolved
   * parameters (e.g. one per feature norm for a norm-adaptive margin). Default: one curve, at
   * ‖x‖ = 1 in the initial state.
   */
  curves?: (params: Readonly<P & ScaleParam>) => DefinedCurveSpec<P, S>[];
}

/** Options of `DefinedMarginHead.targetLogit`. */
export interface TargetLogitAtOptions {
  /** ‖x‖ of each row (one number for all rows; default 1): what margins that depend on the norm see. */
  featureNorms?: number | ArrayLike<number>;
}

/** A head of a defined margin: the same `loss` and `logits` as a `MarginLossHead`, plus its state. */
export interface DefinedMarginHead<P extends MarginParams = MarginParams, S extends object = Record<string, unknown>> {
  /** The margin's name. */
  readonly name: string;
  /** The resolved parameters. */
  readonly params: Readonly<P>;
  /** The head's state (running statistics); one per head, so two heads never share it. */
  readonly state: S;
  /** Whether forward passes update the state (default true; set false to freeze it). */
  training: boolean;
  /** Mean loss over rows with label ≠ −1 (plus the margin's regularizer); a forward pass, so it updates the state when `training`. */
  loss(x: Tensor, w: Tensor, labels: Labels): Tensor;
  /** The N×C logits (scaled by s); a forward pass too, updating the state when `training`. */
  logits(x: Tensor, w: Tensor, labels: Labels): Tensor;
  /**
   * The target logit f (before s) at the given target cosines, each row labelled and with the
   * given feature norms, without updating the state: the curve f(θ) of figures.
   */
  targetLogit(cosTarget: Tensor | ArrayLike<number>, options?: TargetLogitAtOptions): Tensor;
  /** A deep copy of the state as plain JSON data (what a checkpoint stores). */
  saveState(): unknown;
  /** Replaces the state's contents with a copy of `saved` (from `saveState`); an OptionError if its keys differ. */
  loadState(saved: unknown): void;
}

/** A defined margin: its definition, and `head(overrides)` to build heads. */
export interface DefinedMargin<P extends MarginParams = MarginParams, S extends object = Record<string, unknown>> {
  /** The margin's name. */
  readonly name: string;
  /** Its display name. */
  readonly label: string;
  /** Its citation. */
  readonly citation: string;
  /** Its published defaults. */
  readonly defaults: Readonly<P & ScaleParam>;
  /** The reference code's behaviour where it differs from the paper (absent when they agree). */
  readonly reference: Readonly<ReferenceBehaviour<P>> | undefined;
  /** A new head with its own state; overrides replace defaults (unknown keys are an OptionError). */
  head(overrides?: Partial<P & ScaleParam>): DefinedMarginHead<P, S>;
  /** The curves a target-logit figure draws for heads with these overrides (see `MarginDefinition.curves`). */
  curveSpecs(overrides?: Partial<P & ScaleParam>): DefinedCurveSpec<P, S>[];
}

/** A margin name that is not registered. */
export class UnknownMarginError extends ArcgradError {
  constructor(message: string) {
    super('unknown-margin', message);
  }
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The margins this copy of arcgrad defined (see the file header on second copies). */
const definedHere = new WeakSet<object>();

function resolveParams<P extends MarginParams>(name: string, defaults: P, overrides: Partial<P>): P {
  if (overrides === null || typeof overrides !== 'object') throw new OptionError(`${name}: overrides must be an object`);
  const out = { ...defaults };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    if (!Object.hasOwn(defaults, k)) throw new OptionError(`${name}: unknown parameter '${k}' (one of ${Object.keys(defaults).join(', ')})`);
    const want = typeof defaults[k];
    if (typeof v !== want) throw new OptionError(`${name}: parameter '${k}' must be a ${want}, got ${JSON.stringify(v)}`);
    if (typeof v === 'number' && !Number.isFinite(v)) throw new OptionError(`${name}: parameter '${k}' must be finite, got ${v}`);
    (out as MarginParams)[k] = v;
  }
  return out;
}

/** A deep copy of plain JSON data; an OptionError naming the path of anything else. */
function jsonCopy(v: unknown, where: string): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new OptionError(`${where} is ${v}: margin state must be finite JSON data`);
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => jsonCopy(x, `${where}[${i}]`));
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonCopy(x, `${where}.${k}`)]));
  }
  throw new OptionError(`${where} is a ${v?.constructor?.name ?? typeof v}: margin state must be plain JSON data (numbers, arrays, objects)`);
}

/**
 * Defines a margin loss from its target logit (see the file header); the gradient is the tape's.
 *
 * A margin from its paper to its training run, step by step: [prototype-your-own-margin.md](../../docs/prototype-your-own-margin.md#2-the-code).
 *
 * @example
 * ```ts
 * import { Random, randomNormal, defineMargin, gradcheck, acos, cos, addScalar } from 'arcgrad';
 * // ArcFace once more, as a margin of your own: f(cos θ) = cos(θ + m)
 * const myArc = defineMargin({
 *   name: 'my-arc',
 *   citation: 'ArcFace, arXiv 1801.07698 (an example)',
 *   defaults: { s: 64, m: 0.5 },
 *   targetLogit: (cosTarget, ctx) => cos(addScalar(acos(cosTarget), ctx.params.m)),
 * });
 * const rng = new Random(1);
 * const x = randomNormal([4, 8], rng);
 * const w = randomNormal([5, 8], rng);
 * const head = myArc.head();
 * // the same loss as arcface()'s:
 * console.log(head.loss(x, w, [0, 3, 1, 4]).item().toFixed(6)); // → 38.701774
 * console.log(gradcheck((x, w) => head.loss(x, w, [0, 3, 1, 4]), [x, w]).ok); // → true
 * ```
 */
export function defineMargin<P extends MarginParams, S extends object = Record<string, unknown>>(
  definition: MarginDefinition<P, S>,
): DefinedMargin<P, S> {
  if (definition === null || typeof definition !== 'object') throw new OptionError('defineMargin: the definition must be an object');
  const { name, citation, defaults, targetLogit } = definition;
  if (typeof name !== 'string' || !NAME.test(name)) throw new OptionError(`defineMargin: name must match [a-z0-9][a-z0-9-]*, got ${JSON.stringify(name)}`);
  if (typeof citation !== 'string' || citation.trim() === '') throw new OptionError(`defineMargin '${name}': a citation (paper and reference code) is required`);
  if (typeof targetLogit !== 'function') throw new OptionError(`defineMargin '${name}': targetLogit must be a function`);
  for (const hook of ['logits', 'regularizer', 'initState', 'validate', 'curves'] as const) {
    if (definition[hook] !== undefined && typeof definition[hook] !== 'function') throw new OptionError(`defineMargin '${name}': ${hook} must be a function`);
  }
  if (definition.label !== undefined && (typeof definition.label !== 'string' || definition.label.trim() === '')) {
    throw new OptionError(`defineMargin '${name}': label must be a non-empty string`);
  }
  if (defaults === null || typeof defaults !== 'object') throw new OptionError(`defineMargin '${name}': defaults must be an object`);
  for (const [k, v] of Object.entries(defaults)) {
    if (!['number', 'boolean', 'string'].includes(typeof v) || (typeof v === 'number' && !Number.isFinite(v))) {
      throw new OptionError(`defineMargin '${name}': default '${k}' must be a finite number, a boolean or a string, got ${JSON.stringify(v)}`);
    }
  }
  const frozenDefaults = Object.freeze({ ...defaults });
  const check = (p: P & ScaleParam) => {
    if (typeof p.s !== 'number' || !(p.s > 0)) throw new OptionError(`${name}: s must be a number > 0, got ${JSON.stringify(p.s)}`);
    definition.validate?.(p);
  };
  check(frozenDefaults);
  let reference: Readonly<ReferenceBehaviour<P>> | undefined;
  if (definition.reference !== undefined) {
    const { overrides, differences } = definition.reference;
    if (!Array.isArray(differences) || differences.length === 0 || differences.some((d) => typeof d !== 'string' || d.trim() === '')) {
      throw new OptionError(`defineMargin '${name}': reference.differences must list the differences, one non-empty sentence each`);
    }
    check(resolveParams(`defineMargin '${name}' reference.overrides`, frozenDefaults as P & ScaleParam, overrides as Partial<P & ScaleParam>));
    reference = Object.freeze({ overrides: Object.freeze({ ...overrides }), differences: Object.freeze([...differences]) as string[] });
  }

  const margin: DefinedMargin<P, S> = Object.freeze({
    name,
    label: definition.label ?? name,
    citation,
    defaults: frozenDefaults,
    reference,
    head(overrides: Partial<P & ScaleParam> = {}): DefinedMarginHead<P, S> {
      const params = Object.freeze(resolveParams(name, frozenDefaults as P & ScaleParam, overrides));
      check(params);
      const state = (definition.initState ? definition.initState(params) : {}) as S;
      jsonCopy(state, `${name}: initState()`);
      const context = (cosines: Tensor, labels: Int32Array, featureNorms: Tensor, weightNorms: Tensor, training: boolean): MarginContext<P, S> => ({
        cosines,
        labels,
        featureNorms,
        featureNormValues: Float64Array.from(featureNorms.toTypedArray()),
        weightNorms,
        weightNormValues: Float64Array.from(weightNorms.toTypedArray()),
        params,
        state,
        training,
      });
      const target = (cosTarget: Tensor, ctx: MarginContext<P, S>) => {
        const f = definition.targetLogit(cosTarget, ctx);
        assertTensor(f, `${name}: the targetLogit hook's result`);
        if (f.rank !== 1 || f.shape[0] !== ctx.labels.length) {
          throw new ShapeError(`${name}: targetLogit must return one value per row [${ctx.labels.length}], got ${formatShape(f.shape)}`);
        }
        return f;
      };
      const forward = (x: Tensor, w: Tensor, labels: Labels) => {
        const y = checkHeadInputs(name, x, w, labels);
        const cosines = cosineMatrix(x, w);
        const ctx = context(cosines, y, rowNorms(x), rowNorms(w), head.training);
        const f = target(pickColumns(cosines, y), ctx);
        const raw = definition.logits ? definition.logits(f, ctx) : replaceColumns(cosines, f, y);
        assertTensor(raw, `${name}: the logits hook's result`);
        if (raw.rank !== 2 || raw.shape[0] !== cosines.shape[0] || raw.shape[1] !== cosines.shape[1]) {
          throw new ShapeError(`${name}: the logits hook must return ${formatShape(cosines.shape)}, got ${formatShape(raw.shape)}`);
        }
        return { logits: scale(raw, params.s), y, ctx };
      };
      /** Runs a forward pass; when it throws, the state is put back as it was (nothing half-updated). */
      const atomically = <T>(f: () => T): T => {
        if (!head.training) return f();
        const saved = jsonCopy(state, `${name} state`) as Record<string, unknown>;
        try {
          return f();
        } catch (e) {
          for (const k of Object.keys(state)) delete (state as Record<string, unknown>)[k];
          Object.assign(state, saved);
          throw e;
        }
      };
      const head: DefinedMarginHead<P, S> = {
        name,
        params,
        state,
        training: true,
        logits(x, w, labels) {
          return atomically(() => forward(x, w, labels).logits);
        },
        loss(x, w, labels) {
          return atomically(() => {
            const { logits, y, ctx } = forward(x, w, labels);
            const ce = crossEntropy(logits, y);
            if (!definition.regularizer) return ce;
            const r = definition.regularizer(ctx);
            assertTensor(r, `${name}: the regularizer hook's result`);
            if (r.size !== 1) throw new ShapeError(`${name}: the regularizer must return a scalar, got ${formatShape(r.shape)}`);
            return add(ce, r.rank === 0 ? r : sum(r));
          });
        },
        targetLogit(cosTarget, options = {}) {
          const c = Array.isArray(cosTarget) || ArrayBuffer.isView(cosTarget) || !('shape' in (cosTarget as object))
            ? tensor(Array.from(cosTarget as ArrayLike<number>))
            : (cosTarget as Tensor);
          if (c.rank !== 1) throw new ShapeError(`${name}.targetLogit: need target cosines [N], got ${formatShape(c.shape)}`);
          const n = c.shape[0];
          const given = options.featureNorms ?? 1;
          const norms = typeof given === 'number' ? new Array<number>(n).fill(given) : Array.from(given);
          if (norms.length !== n || norms.some((v) => !(v > 0 && Number.isFinite(v)))) {
            throw new ShapeError(`${name}.targetLogit: featureNorms must be ${n} finite numbers > 0 (or one), got ${JSON.stringify(given)}`);
          }
          const cosines = reshape(c, [n, 1]);
          const ctx = context(cosines, new Int32Array(n), c.backend.fromArray(norms, [n], c.dtype), c.backend.fill([1], 1, c.dtype), false);
          return target(c, ctx);
        },
        saveState() {
          return jsonCopy(state, `${name} state`);
        },
        loadState(saved) {
          const copy = jsonCopy(saved, `${name}: loaded state`) as Record<string, unknown>;
          const want = Object.keys(state).sort().join(', ');
          const have = copy === null || typeof copy !== 'object' || Array.isArray(copy) ? '(not an object)' : Object.keys(copy).sort().join(', ');
          if (want !== have) throw new OptionError(`${name}: the saved state has keys [${have}], this head's state [${want}]`);
          Object.assign(state, copy);
        },
      };
      return head;
    },
    curveSpecs(overrides: Partial<P & ScaleParam> = {}): DefinedCurveSpec<P, S>[] {
      const params = resolveParams(name, frozenDefaults as P & ScaleParam, overrides);
      const specs = definition.curves ? definition.curves(params) : [{ label: definition.label ?? name }];
      if (!Array.isArray(specs) || specs.length === 0) throw new OptionError(`${name}: curves() must return at least one curve`);
      return specs.map((spec) => ({ ...spec, params: { ...overrides, ...spec.params } }));
    },
  });
  definedHere.add(margin);
  return margin;
}

const registry = new Map<string, DefinedMargin<MarginParams, object>>();

/** True when `value` looks like what `defineMargin` returns (by any copy of arcgrad; used to find margins in user modules). */
export function isDefinedMargin(value: unknown): value is DefinedMargin<MarginParams, object> {
  const v = value as DefinedMargin<MarginParams, object> | null;
  return v !== null && typeof v === 'object' && typeof v.name === 'string' && typeof v.head === 'function' && typeof v.citation === 'string';
}

/**
 * Registers a defined margin under its name, so that `arcgrad check` case files, `arcgrad train
 * --loss` and `arcgrad demo --losses` can name it. Registering another margin under a taken name
 * is an OptionError; the same one again is a no-op. A margin made by another copy of arcgrad is
 * refused (see the file header).
 */
export function registerMargin(margin: DefinedMargin<any, any>): void { // eslint-disable-line @typescript-eslint/no-explicit-any -- any P and S
  if (!isDefinedMargin(margin)) throw new OptionError('registerMargin: expected a margin returned by defineMargin');
  if (!definedHere.has(margin)) {
    throw new OptionError(
      `registerMargin: margin '${margin.name}' was made by another copy of arcgrad (a second install?); its ops would record on that copy's tape ` +
        'and get no gradient here. Import defineMargin and the ops from the same arcgrad that runs it.',
    );
  }
  const taken = registry.get(margin.name);
  if (taken !== undefined && taken !== margin) throw new OptionError(`registerMargin: a different margin is already registered as '${margin.name}'`);
  registry.set(margin.name, margin);
}

/** The registered margin called `name`; an UnknownMarginError listing the registered ones otherwise. */
export function getMargin(name: string): DefinedMargin<MarginParams, object> {
  const m = registry.get(name);
  if (m === undefined) {
    const known = [...registry.keys()].sort();
    throw new UnknownMarginError(`unknown margin '${name}' (registered: ${known.length > 0 ? known.join(', ') : 'none'})`);
  }
  return m;
}

/** The names of the registered margins, sorted. */
export function registeredMargins(): string[] {
  return [...registry.keys()].sort();
}
