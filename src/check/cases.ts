/**
 * `arcgrad check`: recompute a margin loss and its gradients from a case file written by someone
 * else's implementation (CUDA, PyTorch, JAX…) and say whether their numbers are right.
 *
 * A case file is `{ "cases": [ { "name", "N", "d", "C", "s", "m1", "m2", "m3", "gradient"?,
 * "fallback"?, "lambda"?, "interclassFilteringThreshold"?, "X", "W", "labels", "loss"?, "dX"?,
 * "dW"? } ] }` with X (N·d) and W (C·d) row-major, labels −1 for ignored rows, and dX, dW the
 * gradients of the mean loss with respect to the raw X and W (through the normalization).
 * Errors are normwise, under the tolerance rule of src/check/tolerance.ts: ‖ours − theirs‖∞ /
 * max(‖theirs‖∞, floor), the floor from the rounding of the terms (`caseTolerances`).
 *
 * A case of a margin made with `defineMargin` names it instead of m1, m2, m3: `"margin": NAME`
 * (an example margin, or one the user registered, e.g. through `arcgrad check --margin-module`),
 * `"params"?` (overrides of its defaults; "s" may also be given at the top level), `"state"?`
 * (its running state before the forward, e.g. CurricularFace's `{ "t": 0.3 }`; unnamed keys keep
 * their initial values) and `"training"?` (default true: the forward updates the state before
 * using it, as the reference modules do in every forward; false uses the state as given).
 */
import { cpu } from '../backend/cpu.js';
import type { Backend } from '../backend/backend.js';
import type { GpujsMarginHead } from '../backend/gpujs/head.js';
import { headSpec } from '../losses/fused-head.js';
import { combinedMargin } from '../losses/presets.js';
import { getMargin, type MarginParams } from '../losses/define-margin.js';
import { FALLBACK_POLICIES, type FallbackPolicy } from '../ops/angular-margin.js';
import { GRADIENT_MODES, type GradientMode, type MarginOptions } from '../losses/options.js';
import { valueAndGrad } from '../tape/grad.js';
import type { DType } from '../tensor/dtype.js';
import { ArcgradError, OptionError } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';
import { UNIT_ROUNDOFF, relativeError, tolerance, type Tolerance } from './tolerance.js';
import type { Tensor } from '../tensor/tensor.js';

/** A case file that cannot be read: names the case and the field. */
export class CaseFileError extends ArcgradError {
  constructor(message: string) {
    super('case-file', message);
  }
}

/** One case of a case file. */
export interface CheckCase {
  name: string;
  N: number;
  d: number;
  C: number;
  /** The scale (required unless `margin` is given). */
  s?: number;
  /** The combined margin's m1 (required unless `margin` is given). */
  m1?: number;
  /** The combined margin's m2 (required unless `margin` is given). */
  m2?: number;
  /** The combined margin's m3 (required unless `margin` is given). */
  m3?: number;
  /** The name of a registered defined margin, instead of m1, m2, m3. */
  margin?: string;
  /** Overrides of the defined margin's defaults. */
  params?: MarginParams;
  /** The defined margin's state before the forward (keys not given keep their initial values). */
  state?: Record<string, unknown>;
  /** Whether the forward updates the state before use (default true). */
  training?: boolean;
  gradient?: GradientMode;
  fallback?: FallbackPolicy;
  lambda?: number;
  interclassFilteringThreshold?: number;
  X: number[];
  W: number[];
  labels: number[];
  loss?: number;
  dX?: number[];
  dW?: number[];
}

/** The outcome of one case. */
export interface CaseResult {
  /** The case's name. */
  name: string;
  /** arcgrad's loss. */
  loss: number;
  /** Relative errors against the file's values (absent where the file gives none). */
  errors: { loss?: number; dX?: number; dW?: number };
  /** Every given value within the tolerance. */
  pass: boolean;
}

/** Options of `runCase`. */
export interface CheckOptions {
  /** Largest relative error that passes. */
  tol: number;
  /** dtype arcgrad computes in (the file's values are compared as given). */
  dtype: DType;
  /** Backend arcgrad computes on (the CPU reference unless given). */
  backend?: Backend;
}

/** The default tolerance for a dtype: float64 leaves ~1e-13; float32 at s = 64 about 1e-5. */
export function defaultTolerance(dtype: DType): number {
  return dtype === 'float64' ? 1e-8 : 1e-3;
}

/**
 * Python's json.dump writes NaN, Infinity and -Infinity as bare tokens (allow_nan=True is its
 * default), which JSON.parse rejects. A NaN gradient is exactly what a broken implementation
 * produces (PyTorch's acos at cos θ = ±1), so such a file must not be "unreadable": the tokens
 * outside strings become these markers, and the fields read them back as numbers.
 */
const NON_FINITE: Record<string, number> = { '\u0000NaN': Number.NaN, '\u0000Infinity': Infinity, '\u0000-Infinity': -Infinity };

function markNonFinite(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (m) => (m.startsWith('"') ? m : JSON.stringify(`\u0000${m}`)));
}

/** A value as the file wrote it, for messages (the markers shown as the tokens they replaced). */
function shown(v: unknown): string {
  return typeof v === 'string' && v in NON_FINITE ? v.slice(1) : JSON.stringify(v);
}

/** Reads back the markers of a field that may hold non-finite numbers (the file's results). */
function unmark(v: unknown): unknown {
  if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v];
  return Array.isArray(v) ? v.map(unmark) : v;
}

function field(raw: Record<string, unknown>, name: string, where: string, kind: 'number' | 'integer' | 'string' | 'numbers' | 'result' | 'results', optional = false): unknown {
  const v = kind === 'result' || kind === 'results' ? unmark(raw[name]) : raw[name];
  if (v === undefined && optional) return undefined;
  const bad = (what: string) => new CaseFileError(`${where}: field '${name}' ${what}`);
  if (v === undefined) throw bad('is missing');
  if (kind === 'string' && typeof v !== 'string') throw bad(`must be a string, got ${shown(v)}`);
  if (kind === 'number' && (typeof v !== 'number' || !Number.isFinite(v))) throw bad(`must be a finite number, got ${shown(v)}`);
  if (kind === 'integer' && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) throw bad(`must be a positive integer, got ${shown(v)}`);
  if (kind === 'numbers') {
    if (!Array.isArray(v)) throw bad('must be an array of numbers');
    const i = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (i >= 0) throw bad(`has a non-finite or non-number entry at index ${i}: ${shown(v[i])}`);
  }
  // The implementation's own results: NaN or ±Inf there is a failed case, not an unreadable file.
  if (kind === 'result' && typeof v !== 'number') throw bad(`must be a number, got ${shown(v)}`);
  if (kind === 'results') {
    if (!Array.isArray(v)) throw bad('must be an array of numbers');
    const i = v.findIndex((x) => typeof x !== 'number');
    if (i >= 0) throw bad(`has a non-number entry at index ${i}: ${shown(v[i])}`);
  }
  return v;
}

const COMBINED_ONLY = ['m1', 'm2', 'm3', 'gradient', 'fallback', 'lambda', 'interclassFilteringThreshold'] as const;

/** The `margin`, `params`, `state` and `training` fields of a defined margin's case, checked against the registered margin. */
function parseDefinedMargin(r: Record<string, unknown>, c: CheckCase, where: string): void {
  const name = field(r, 'margin', where, 'string') as string;
  const given = COMBINED_ONLY.filter((f) => r[f] !== undefined);
  if (given.length > 0) throw new CaseFileError(`${where}: field '${given[0]}' is the combined margin's; a case of margin '${name}' sets its parameters in 'params'`);
  const object = (f: string) => {
    const v = r[f];
    if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v))) throw new CaseFileError(`${where}: field '${f}' must be an object, got ${JSON.stringify(v)}`);
    return v as Record<string, unknown> | undefined;
  };
  const params = object('params');
  const state = object('state');
  if (r.training !== undefined && typeof r.training !== 'boolean') throw new CaseFileError(`${where}: field 'training' must be true or false, got ${JSON.stringify(r.training)}`);
  c.margin = name;
  if (params !== undefined) c.params = params as MarginParams;
  if (state !== undefined) c.state = state;
  if (r.training !== undefined) c.training = r.training as boolean;
  try {
    definedHead(c); // an unknown margin, parameter or state key fails here, naming the case
  } catch (e) {
    if (e instanceof ArcgradError) throw new CaseFileError(`${where}: ${e.message}`);
    throw e;
  }
}

/** The head of a defined margin's case, with the case's state loaded and its training flag. */
function definedHead(c: CheckCase) {
  const margin = getMargin(c.margin as string);
  const head = margin.head({ ...c.params, ...(c.s === undefined ? {} : { s: c.s }) });
  if (c.state !== undefined) head.loadState({ ...(head.saveState() as Record<string, unknown>), ...c.state });
  head.training = c.training ?? true;
  return head;
}

/** Parses and validates a case file's text; throws a CaseFileError naming the case and the field. */
export function parseCaseFile(text: string): CheckCase[] {
  let json: unknown;
  try {
    json = JSON.parse(markNonFinite(text.replace(/^\uFEFF/, ''))); // a byte-order mark (Windows editors) is not content
  } catch (e) {
    throw new CaseFileError(`not valid JSON (${(e as Error).message.replace(/\s*\n\s*/g, ' ')})`);
  }
  const cases = (json as { cases?: unknown })?.cases;
  if (!Array.isArray(cases)) throw new CaseFileError("expected an object with a 'cases' array");
  return cases.map((raw, k): CheckCase => {
    if (raw === null || typeof raw !== 'object') throw new CaseFileError(`case ${k}: not an object`);
    const r = raw as Record<string, unknown>;
    const name = (typeof r.name === 'string' ? r.name : `#${k}`);
    const where = `case '${name}'`;
    field(r, 'name', where, 'string');
    const [N, d, C] = (['N', 'd', 'C'] as const).map((f) => field(r, f, where, 'integer') as number);
    const defined = r.margin !== undefined;
    const c: CheckCase = {
      name, N, d, C,
      X: field(r, 'X', where, 'numbers') as number[],
      W: field(r, 'W', where, 'numbers') as number[],
      labels: field(r, 'labels', where, 'numbers') as number[],
      lambda: field(r, 'lambda', where, 'number', true) as number | undefined,
      interclassFilteringThreshold: field(r, 'interclassFilteringThreshold', where, 'number', true) as number | undefined,
      loss: field(r, 'loss', where, 'result', true) as number | undefined,
      dX: field(r, 'dX', where, 'results', true) as number[] | undefined,
      dW: field(r, 'dW', where, 'results', true) as number[] | undefined,
    };
    const s = field(r, 's', where, 'number', defined) as number | undefined;
    if (s !== undefined) c.s = s;
    if (defined) parseDefinedMargin(r, c, where);
    else [c.m1, c.m2, c.m3] = (['m1', 'm2', 'm3'] as const).map((f) => field(r, f, where, 'number') as number);
    if (r.gradient !== undefined) {
      if (!GRADIENT_MODES.includes(r.gradient as GradientMode)) throw new CaseFileError(`${where}: field 'gradient' must be 'exact' or 'straight-through', got ${JSON.stringify(r.gradient)}`);
      c.gradient = r.gradient as GradientMode;
    }
    if (r.fallback !== undefined) {
      if (!FALLBACK_POLICIES.includes(r.fallback as FallbackPolicy)) throw new CaseFileError(`${where}: field 'fallback' must be one of ${FALLBACK_POLICIES.join(', ')}, got ${JSON.stringify(r.fallback)}`);
      c.fallback = r.fallback as FallbackPolicy;
    }
    const sizes: [keyof CheckCase, number][] = [['X', N * d], ['W', C * d], ['labels', N], ['dX', N * d], ['dW', C * d]];
    for (const [f, n] of sizes) {
      const v = c[f] as number[] | undefined;
      if (v !== undefined && v.length !== n) throw new CaseFileError(`${where}: field '${f}' has ${v.length} numbers, expected ${n}`);
    }
    c.labels.forEach((l, i) => {
      if (!Number.isInteger(l) || l < -1 || l >= C) throw new CaseFileError(`${where}: field 'labels' entry ${i} is ${l}, not an integer in [−1, ${C})`);
    });
    return c;
  });
}

/** The margin options of a case. */
export function caseOptions(c: CheckCase): MarginOptions {
  if (c.margin !== undefined) throw new CaseFileError(`case '${c.name}': margin '${c.margin}' is a defined margin, not the combined margin`);
  return {
    s: c.s as number, m1: c.m1 as number, m2: c.m2 as number, m3: c.m3 as number, gradient: c.gradient ?? 'exact', fallback: c.fallback ?? 'none',
    lambda: c.lambda ?? 0, interclassFilteringThreshold: c.interclassFilteringThreshold ?? 0,
  };
}

/** arcgrad's loss, dX and dW for a case. */
export function computeCase(c: CheckCase, dtype: DType = 'float64', backend: Backend = cpu): { loss: number; dX: number[]; dW: number[] } {
  const head = c.margin === undefined ? combinedMargin(caseOptions(c)) : definedHead(c);
  const x = backend.fromArray(c.X, [c.N, c.d], dtype);
  const w = backend.fromArray(c.W, [c.C, c.d], dtype);
  const { value, grads } = valueAndGrad((a: Tensor, b: Tensor) => head.loss(a, b, c.labels))(x, w);
  return { loss: value.item(), dX: grads[0].toArray(), dW: grads[1].toArray() };
}

/**
 * The floors of a case's comparisons under the tolerance rule (src/check/tolerance.ts): the loss
 * is a log-sum-exp of logits of scale s, a gradient entry a sum of terms of scale s/V (V the
 * labelled rows), each over the C classes and d features; a value smaller than its terms' rounding
 * (a saturated loss of 1e-30, a gradient that cancels) is compared absolutely.
 */
export function caseTolerances(c: CheckCase, tol: number, dtype: DType = 'float64'): { loss: Tolerance; gradient: Tolerance } {
  const s = Math.abs(Number(c.s ?? c.params?.s ?? (c.margin === undefined ? 1 : getMargin(c.margin).defaults.s)));
  const labelled = Math.max(1, c.labels.filter((l) => l >= 0).length);
  const at = (scale: number) => tolerance(tol, { u: UNIT_ROUNDOFF[dtype], scale, roundings: c.C + c.d });
  return { loss: at(s), gradient: at(s / labelled) };
}

/**
 * arcgrad's loss, dX and dW for a case from a fused margin head (float32): how `arcgrad check
 * --backend gpu.js:webgpu` computes — the fused head driven asynchronously in this thread, the way
 * the GPU benchmark times it (src/backend/gpujs/head.ts).
 */
export async function computeCaseFused(c: CheckCase, head: GpujsMarginHead): Promise<{ loss: number; dX: number[]; dW: number[] }> {
  if (c.margin !== undefined) {
    throw new OptionError(`${head.name}: the fused head computes the combined margin; margin '${c.margin}' (defined with defineMargin) runs on the tape backends`);
  }
  await head.setClassCenters(c.W, c.C, c.d);
  const r = await head.step(c.X, Int32Array.from(c.labels), headSpec(caseOptions(c)), { readGradW: true });
  return { loss: r.loss, dX: Array.from(r.dX), dW: Array.from(r.dW ?? []) };
}

/** Recomputes a case and compares it with the values the file gives. */
export function runCase(c: CheckCase, options: CheckOptions): CaseResult {
  return compareCase(c, computeCase(c, options.dtype, options.backend), options.tol, options.dtype);
}

/**
 * Compares arcgrad's values for a case (`ours`, computed in `dtype`) with the values the file
 * gives, at relative tolerance `tol` with the floors of `caseTolerances`.
 */
export function compareCase(c: CheckCase, ours: { loss: number; dX: number[]; dW: number[] }, tol: number, dtype: DType = 'float64'): CaseResult {
  const t = caseTolerances(c, tol, dtype);
  const errors: CaseResult['errors'] = {};
  if (c.loss !== undefined) errors.loss = relativeError(ours.loss, c.loss, t.loss.floor);
  if (c.dX !== undefined) errors.dX = relativeError(ours.dX, c.dX, t.gradient.floor);
  if (c.dW !== undefined) errors.dW = relativeError(ours.dW, c.dW, t.gradient.floor);
  const pass = Object.values(errors).every((e) => e !== undefined && e <= tol);
  return { name: c.name, loss: ours.loss, errors, pass };
}

/**
 * Cases for others to test against: every preset, every fallback policy, both gradient modes,
 * λ, interclass filtering, ignored rows and a target at exactly cos θ = 1, with arcgrad's float64
 * loss and gradients filled in. Given `margins` (registered defined margins), instead one case
 * per margin, named after it, at its defaults, with its initial state written out and training on.
 */
export function emitCases(seed = 1, margins: readonly string[] = []): CheckCase[] {
  const rng = new Random(seed);
  const [N, d, C] = [6, 8, 10];
  const normal = (n: number) => Array.from({ length: n }, () => rng.normal());
  const variants: [string, Partial<CheckCase>][] = [
    ['normface', { s: 64, m1: 1, m2: 0, m3: 0 }],
    ['sphereface-psi', { s: 64, m1: 4, m2: 0, m3: 0, fallback: 'psi' }],
    ['sphereface-psi-lambda5', { s: 64, m1: 4, m2: 0, m3: 0, fallback: 'psi', lambda: 5 }],
    ['cosface', { s: 64, m1: 1, m2: 0, m3: 0.35 }],
    ['arcface', { s: 64, m1: 1, m2: 0.5, m3: 0 }],
    ['arcface-straight-through', { s: 64, m1: 1, m2: 0.5, m3: 0, gradient: 'straight-through' }],
    ['arcface-thmm', { s: 64, m1: 1, m2: 0.5, m3: 0, fallback: 'thmm' }],
    ['arcface-easy', { s: 64, m1: 1, m2: 0.5, m3: 0, fallback: 'easy' }],
    ['arcface-clamp', { s: 64, m1: 1, m2: 0.5, m3: 0, fallback: 'clamp' }],
    ['combined-1-0.3-0.2', { s: 64, m1: 1, m2: 0.3, m3: 0.2 }],
    ['combined-0.9-0.4-0.15', { s: 64, m1: 0.9, m2: 0.4, m3: 0.15 }],
    ['combined-1.35-psi', { s: 30, m1: 1.35, m2: 0.2, m3: 0.1, fallback: 'psi' }],
    ['arcface-filter-0.4', { s: 64, m1: 1, m2: 0.5, m3: 0, interclassFilteringThreshold: 0.4 }],
  ];
  if (margins.length > 0) variants.splice(0, variants.length);
  for (const name of margins) {
    const head = getMargin(name).head();
    variants.push([name, { margin: name, params: { ...head.params }, state: head.saveState() as Record<string, unknown>, training: true }]);
  }
  return variants.map(([name, v], k) => {
    const X = normal(N * d);
    const W = normal(C * d);
    const labels = Array.from({ length: N }, (_, i) => (i === N - 1 && k % 2 === 0 ? -1 : rng.int(C)));
    if (k % 3 === 0 && v.margin === undefined) X.splice(0, d, ...W.slice(labels[0] * d, labels[0] * d + d).map((v) => 2 * v)); // cos θ_y = 1 (up to rounding)
    const c = { name, N, d, C, X, W, labels, ...v } as CheckCase;
    return { ...c, ...computeCase(c) };
  });
}
