/**
 * `arcgrad check`: recompute a margin loss and its gradients from a case file written by someone
 * else's implementation (CUDA, PyTorch, JAX…) and say whether their numbers are right.
 *
 * A case file is `{ "cases": [ { "name", "N", "d", "C", "s", "m1", "m2", "m3", "gradient"?,
 * "fallback"?, "lambda"?, "interclassFilteringThreshold"?, "X", "W", "labels", "loss"?, "dX"?,
 * "dW"? } ] }` with X (N·d) and W (C·d) row-major, labels −1 for ignored rows, and dX, dW the
 * gradients of the mean loss with respect to the raw X and W (through the normalization).
 * The peers' conventions are optional fields of a combined-margin case, as the MarginOptions of
 * the same names: "scaleByFeatureNorm"?, "scaleByWeightNorm"? (booleans), "subCenters"? (K: then
 * W and dW are (C·K)×d), "cosineEpsilon"?, "angleCap"? (docs/checking-your-implementation.md).
 * Errors are normwise: ‖ours − theirs‖∞ / ‖theirs‖∞ (absolute when theirs is 0).
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
import type { AsyncMarginHead } from '../backend/head.js';
import { headSpec } from '../losses/fused-head.js';
import { combinedMargin } from '../losses/presets.js';
import { resolveSphereFace2Options, sphereFace2InitialBias, sphereFace2Loss, type SphereFace2Options } from '../losses/sphereface2.js';
import { getMargin, type MarginParams } from '../losses/define-margin.js';
import { FALLBACK_POLICIES, type FallbackPolicy } from '../ops/angular-margin.js';
import { GRADIENT_MODES, resolveMarginOptions, tapeOnlyOptionsIn, type GradientMode, type MarginOptions } from '../losses/options.js';
import { valueAndGrad } from '../tape/grad.js';
import type { DType } from '../tensor/dtype.js';
import { ArcgradError, OptionError } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

/** A case file that cannot be read: names the case and the field. */
export class CaseFileError extends ArcgradError {
  constructor(message: string) {
    super('case-file', message);
  }
}

/** One case of a case file (with `head: 'sphereface2'`, SphereFace2's options r, m, t, alpha, lw, b). */
export interface CheckCase extends Pick<SphereFace2Options, 'r' | 'm' | 't' | 'alpha' | 'lw' | 'b'> {
  /** The case's name, as the table prints it. */
  name: string;
  /** Rows of X (features). */
  N: number;
  /** Columns of X and W (the embedding size). */
  d: number;
  /** Rows of W (classes). */
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
  /** `'exact'` (default) or `'straight-through'` (see MarginOptions). */
  gradient?: GradientMode;
  /** What happens where m1·θ + m2 leaves [0, π] (default `'none'`). */
  fallback?: FallbackPolicy;
  /** SphereFace's blend λ (default 0). */
  lambda?: number;
  /** insightface's inter-class filtering threshold (default 0: off). */
  interclassFilteringThreshold?: number;
  /** Logits × ‖x_i‖ (MarginOptions.scaleByFeatureNorm). */
  scaleByFeatureNorm?: boolean;
  /** Logits × ‖w_j‖ (MarginOptions.scaleByWeightNorm). */
  scaleByWeightNorm?: boolean;
  /** Sub-centers per class K: W and dW hold C·K rows (MarginOptions.subCenters). */
  subCenters?: number;
  /** Cosines clamped to [−1 + ε, 1 − ε] (MarginOptions.cosineEpsilon). */
  cosineEpsilon?: number;
  /** Cap of the target angle m1·θ + m2 (MarginOptions.angleCap). */
  angleCap?: number;
  /** A binary head instead of the softmax: 'sphereface2' (then `r`, `m`, `t`, `alpha`, `lw`, `b` instead of s, m1, m2, m3). */
  head?: 'sphereface2';
  /** The features, N·d row-major. */
  X: number[];
  /** The class centers, C·d row-major. */
  W: number[];
  /** One label per row, in [0, C), or −1 to ignore the row. */
  labels: number[];
  /** The other implementation's mean loss. */
  loss?: number;
  /** Its gradient of the mean loss with respect to the raw X, N·d. */
  dX?: number[];
  /** Its gradient of the mean loss with respect to the raw W, C·d. */
  dW?: number[];
}

/** A loss and its gradients with respect to the raw X and W, row-major. */
export interface CaseValues {
  /** The mean loss. */
  loss: number;
  /** ∂loss/∂X, N·d. */
  dX: number[];
  /** ∂loss/∂W, C·d. */
  dW: number[];
}

/** The outcome of one case. */
export interface CaseResult {
  /** The case's name. */
  name: string;
  /** arcgrad's loss. */
  loss: number;
  /** Relative errors against the file's values (absent where the file gives none). */
  errors: Partial<Record<'loss' | 'dX' | 'dW', number>>;
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

/** The peer-convention fields of a combined-margin case (the MarginOptions of the same names). */
export const CONVENTION_FIELDS = ['scaleByFeatureNorm', 'scaleByWeightNorm', 'subCenters', 'cosineEpsilon', 'angleCap'] as const;

const COMBINED_ONLY = ['m1', 'm2', 'm3', 'gradient', 'fallback', 'lambda', 'interclassFilteringThreshold', ...CONVENTION_FIELDS] as const;

/** The peer-convention fields of a case, type-checked (their ranges are checked with the options, in `parseCaseFile`). */
function parseConventions(r: Record<string, unknown>, c: CheckCase, where: string): void {
  for (const f of ['scaleByFeatureNorm', 'scaleByWeightNorm'] as const) {
    if (r[f] !== undefined && typeof r[f] !== 'boolean') throw new CaseFileError(`${where}: field '${f}' must be true or false, got ${shown(r[f])}`);
    if (r[f] !== undefined) c[f] = r[f] as boolean;
  }
  const k = field(r, 'subCenters', where, 'integer', true) as number | undefined;
  if (k !== undefined) c.subCenters = k;
  for (const f of ['cosineEpsilon', 'angleCap'] as const) {
    const v = field(r, f, where, 'number', true) as number | undefined;
    if (v !== undefined) c[f] = v;
  }
}

/** The fields of a binary head's case ('sphereface2'), checked with the loss's own validation. */
const BINARY_FIELDS = ['r', 'm', 't', 'alpha', 'lw', 'b'] as const;

function parseBinaryHead(r: Record<string, unknown>, c: CheckCase, where: string): void {
  if (r.head !== 'sphereface2') throw new CaseFileError(`${where}: field 'head' must be 'sphereface2' (the one binary head), got ${shown(r.head)}`);
  const foreign = ['s', 'margin', 'fallback', 'lambda', ...COMBINED_ONLY.filter((f) => f !== 'gradient')].filter((f) => r[f] !== undefined);
  if (foreign.length > 0) throw new CaseFileError(`${where}: field '${foreign[0]}' is not SphereFace2's; its fields are ${BINARY_FIELDS.join(', ')} and gradient`);
  c.head = 'sphereface2';
  for (const f of BINARY_FIELDS) {
    const v = field(r, f, where, 'number', true) as number | undefined;
    if (v !== undefined) c[f] = v;
  }
}

/** The SphereFace2 options of a binary head's case. */
export function sphereFace2CaseOptions(c: CheckCase): SphereFace2Options {
  return { ...Object.fromEntries(BINARY_FIELDS.filter((f) => c[f] !== undefined).map((f) => [f, c[f]])), gradient: c.gradient ?? 'exact' };
}

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

/**
 * Parses and validates a case file's text; throws a CaseFileError naming the case and the field.
 *
 * The case file's fields: [checking-your-implementation.md §1](../../docs/checking-your-implementation.md#1-the-case-file).
 *
 * @example
 * ```ts
 * import { parseCaseFile } from 'arcgrad';
 * const [c] = parseCaseFile(JSON.stringify({ cases: [{ name: 'tiny', N: 1, d: 2, C: 2, s: 64, m1: 1, m2: 0.5, m3: 0,
 *   X: [1, 0], W: [1, 0, 0, 1], labels: [0] }] }));
 * console.log(c.name, c.N, c.C); // → tiny 1 2
 * try {
 *   parseCaseFile('{"cases": [{"name": "bad"}]}');
 * } catch (e) {
 *   console.log(e.name); // → CaseFileError
 * }
 * ```
 */
export function parseCaseFile(text: string): CheckCase[] {
  let json: unknown;
  try {
    json = JSON.parse(markNonFinite(text.replace(/^\uFEFF/, ''))); // a byte-order mark (Windows editors) is not content
  } catch (e) {
    throw new CaseFileError(`not valid JSON (${(e as Error).message.replace(/\s*\n\s*/g, ' ')})`);
  }
  const cases = (json as { cases?: unknown })?.cases;
  if (!Array.isArray(cases)) throw new CaseFileError("expected an object with a 'cases' array");
  return cases.map((raw, k) => parseCase(raw, k));
}

/** The array fields of a case: in the JSON, or (an `.npz` case) in the archive. */
const ARRAY_FIELDS = ['X', 'W', 'labels', 'loss', 'dX', 'dW'] as const;

/**
 * Parses and validates one case object. With `external` (a case whose arrays are in an `.npz`),
 * the object holds only the options: its X, W, labels, loss, dX and dW come from the archive
 * (they are left empty here), N and d from the arrays' shapes, and C from `C` or W's rows / K.
 */
export function parseCase(raw: unknown, k: number, external?: { N: number; d: number; wRows: number }): CheckCase {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new CaseFileError(`case ${k}: not an object`);
  const r = raw as Record<string, unknown>;
  const name = (typeof r.name === 'string' ? r.name : `#${k}`);
  const where = `case '${name}'`;
  field(r, 'name', where, 'string');
  if (external) {
    const inline = ARRAY_FIELDS.filter((f) => r[f] !== undefined);
    if (inline.length > 0) throw new CaseFileError(`${where}: field '${inline[0]}' belongs in the .npz as an array, not in its options`);
  }
  const K = (field(r, 'subCenters', where, 'integer', true) as number | undefined) ?? 1;
  const dims = (['N', 'd', 'C'] as const).map((f) => {
    const given = field(r, f, where, 'integer', external !== undefined) as number | undefined;
    if (!external) return given as number;
    const actual = f === 'N' ? external.N : f === 'd' ? external.d : Math.floor(external.wRows / K);
    if (given !== undefined && given !== actual && f !== 'C') throw new CaseFileError(`${where}: field '${f}' is ${given} but the arrays give ${actual}`);
    return given ?? actual;
  });
  const [N, d, C] = dims;
  const defined = r.margin !== undefined;
  const binary = r.head !== undefined;
  const c: CheckCase = {
    name, N, d, C,
    X: external ? [] : (field(r, 'X', where, 'numbers') as number[]),
    W: external ? [] : (field(r, 'W', where, 'numbers') as number[]),
    labels: external ? [] : (field(r, 'labels', where, 'numbers') as number[]),
    lambda: field(r, 'lambda', where, 'number', true) as number | undefined,
    interclassFilteringThreshold: field(r, 'interclassFilteringThreshold', where, 'number', true) as number | undefined,
    loss: field(r, 'loss', where, 'result', true) as number | undefined,
    dX: field(r, 'dX', where, 'results', true) as number[] | undefined,
    dW: field(r, 'dW', where, 'results', true) as number[] | undefined,
  };
  const s = binary ? undefined : (field(r, 's', where, 'number', defined) as number | undefined);
  if (s !== undefined) c.s = s;
  if (binary) parseBinaryHead(r, c, where);
  else if (defined) parseDefinedMargin(r, c, where);
  else {
    [c.m1, c.m2, c.m3] = (['m1', 'm2', 'm3'] as const).map((f) => field(r, f, where, 'number') as number);
    parseConventions(r, c, where);
  }
  if (r.gradient !== undefined) {
    if (!GRADIENT_MODES.includes(r.gradient as GradientMode)) throw new CaseFileError(`${where}: field 'gradient' must be 'exact' or 'straight-through', got ${JSON.stringify(r.gradient)}`);
    c.gradient = r.gradient as GradientMode;
  }
  if (r.fallback !== undefined) {
    if (!FALLBACK_POLICIES.includes(r.fallback as FallbackPolicy)) throw new CaseFileError(`${where}: field 'fallback' must be one of ${FALLBACK_POLICIES.join(', ')}, got ${JSON.stringify(r.fallback)}`);
    c.fallback = r.fallback as FallbackPolicy;
  }
  if (!defined) {
    try {
      // ranges of s, λ, K, ε, the cap, r, α…, named as the loss API names them
      if (binary) resolveSphereFace2Options(sphereFace2CaseOptions(c), C, `${where}: sphereFace2Loss`);
      else resolveMarginOptions(caseOptions(c), `${where}: combinedMargin`);
    } catch (e) {
      if (e instanceof OptionError) throw new CaseFileError(e.message);
      throw e;
    }
  }
  if (external) return c;
  const rows = C * (c.subCenters ?? 1); // W's rows: K sub-centers per class
  const sizes: [keyof CheckCase, number][] = [['X', N * d], ['W', rows * d], ['labels', N], ['dX', N * d], ['dW', rows * d]];
  for (const [f, n] of sizes) {
    const v = c[f] as number[] | undefined;
    if (v !== undefined && v.length !== n) throw new CaseFileError(`${where}: field '${f}' has ${v.length} numbers, expected ${n}`);
  }
  c.labels.forEach((l, i) => {
    if (!Number.isInteger(l) || l < -1 || l >= C) throw new CaseFileError(`${where}: field 'labels' entry ${i} is ${l}, not an integer in [−1, ${C})`);
  });
  return c;
}

/** The margin options of a case. */
export function caseOptions(c: CheckCase): MarginOptions {
  if (c.head !== undefined) throw new CaseFileError(`case '${c.name}': a ${c.head} case has a binary head, not the combined margin`);
  if (c.margin !== undefined) throw new CaseFileError(`case '${c.name}': margin '${c.margin}' is a defined margin, not the combined margin`);
  return {
    s: c.s as number, m1: c.m1 as number, m2: c.m2 as number, m3: c.m3 as number, gradient: c.gradient ?? 'exact', fallback: c.fallback ?? 'none',
    lambda: c.lambda ?? 0, interclassFilteringThreshold: c.interclassFilteringThreshold ?? 0,
    ...Object.fromEntries(CONVENTION_FIELDS.filter((f) => c[f] !== undefined).map((f) => [f, c[f]])),
  };
}

/** arcgrad's loss, dX and dW for a case. */
export function computeCase(c: CheckCase, dtype: DType = 'float64', backend: Backend = cpu): CaseValues {
  const head = c.head === 'sphereface2'
    ? { loss: (a: Tensor, b: Tensor, y: number[]) => sphereFace2Loss(a, b, y, sphereFace2CaseOptions(c)) }
    : c.margin === undefined ? combinedMargin(caseOptions(c)) : definedHead(c);
  const x = backend.fromArray(c.X, [c.N, c.d], dtype);
  const w = backend.fromArray(c.W, [c.C * (c.subCenters ?? 1), c.d], dtype);
  const { value, grads } = valueAndGrad((a: Tensor, b: Tensor) => head.loss(a, b, c.labels))(x, w);
  return { loss: value.item(), dX: grads[0].toArray(), dW: grads[1].toArray() };
}

/** ‖a − b‖∞ / ‖b‖∞ (the absolute error when b is all zeros). */
export function normwiseError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}

/**
 * arcgrad's loss, dX and dW for a case from a fused margin head (float32): how `arcgrad check
 * --backend gpu.js:webgpu` computes — the fused head driven asynchronously in this thread, the way
 * the GPU benchmark times it (src/backend/gpujs/head.ts).
 */
export async function computeCaseFused(c: CheckCase, head: AsyncMarginHead): Promise<CaseValues> {
  const refusal = fusedHeadRefusal(c);
  if (refusal !== undefined) throw new OptionError(`${head.name}: ${refusal}`);
  await head.setClassCenters(c.W, c.C, c.d);
  const r = await head.step(c.X, Int32Array.from(c.labels), headSpec(caseOptions(c)), { readGradW: true });
  return { loss: r.loss, dX: Array.from(r.dX), dW: Array.from(r.dW ?? []) };
}

/**
 * Why the fused head cannot compute case `c` (undefined when it can): it computes the combined
 * margin alone, so a defined margin, a binary head or a peer convention that only the tape's margin
 * head implements (TAPE_ONLY_OPTIONS in losses/options.ts) runs on the tape backends. `arcgrad check --backend
 * gpu.js:webgpu` reports such a case as skipped, with this reason.
 */
export function fusedHeadRefusal(c: CheckCase): string | undefined {
  if (c.margin !== undefined) return `the fused head computes the combined margin; margin '${c.margin}' (defined with defineMargin) runs on the tape backends`;
  if (c.head !== undefined) return `the fused head computes the combined margin; the ${c.head} head runs on the tape backends`;
  const set = tapeOnlyOptionsIn(resolveMarginOptions(caseOptions(c), 'check'));
  if (set.length > 0) return `${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} computed by the tape's margin head only; this case runs on the tape backends`;
  return undefined;
}

/**
 * Recomputes a case and compares it with the values the file gives.
 *
 * What the errors mean and the tolerances: [checking-your-implementation.md §3–4](../../docs/checking-your-implementation.md#3-reading-the-report).
 *
 * @example
 * ```ts
 * import { emitCases, runCase } from 'arcgrad';
 * const [c] = emitCases(); // a case with arcgrad's own values filled in
 * const wrong = { ...c, dX: c.dX.map((g) => g * 1.01) }; // another implementation, 1 % off in dX
 * console.log(runCase(c, { tol: 1e-10, dtype: 'float64' }).pass); // → true
 * console.log(runCase(wrong, { tol: 1e-10, dtype: 'float64' }).pass); // → false
 * ```
 */
export function runCase(c: CheckCase, options: CheckOptions): CaseResult {
  return compareCase(c, computeCase(c, options.dtype, options.backend), options.tol);
}

/** Compares arcgrad's values for a case (`ours`) with the values the file gives, at tolerance `tol`. */
export function compareCase(c: CheckCase, ours: CaseValues, tol: number): CaseResult {
  const errors: CaseResult['errors'] = {};
  if (c.loss !== undefined) errors.loss = normwiseError([ours.loss], [c.loss]);
  if (c.dX !== undefined) errors.dX = normwiseError(ours.dX, c.dX);
  if (c.dW !== undefined) errors.dW = normwiseError(ours.dW, c.dW);
  const pass = Object.values(errors).every((e) => e !== undefined && e <= tol);
  return { name: c.name, loss: ours.loss, errors, pass };
}

/**
 * Cases for others to test against: every preset, every fallback policy, both gradient modes,
 * λ, interclass filtering, the peers' conventions (feature- and weight-norm scaling, sub-centers,
 * opensphere's clamp and cap), ignored rows and a target at exactly cos θ = 1, with arcgrad's float64
 * loss and gradients filled in. Given `margins` (registered defined margins), instead one case
 * per margin, named after it, at its defaults, with its initial state written out and training on.
 *
 * What `arcgrad check --emit` writes, and a PyTorch script that dumps yours:
 * [checking-your-implementation.md §1–2](../../docs/checking-your-implementation.md#2-dumping-cases-from-pytorch).
 *
 * @example
 * ```ts
 * import { emitCases } from 'arcgrad';
 * const cases = emitCases();
 * console.log(cases.length, cases[0].name); // → 22 normface
 * ```
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
    // The peers' conventions (docs/checking-your-implementation.md#peer-conventions):
    ['pml-sphereface-feature-norm', { s: 1, m1: 4, m2: 0, m3: 0, fallback: 'psi', scaleByFeatureNorm: true }],
    ['pml-large-margin-softmax', { s: 1, m1: 4, m2: 0, m3: 0, fallback: 'psi', scaleByFeatureNorm: true, scaleByWeightNorm: true }],
    ['sphereface-feature-norm-s30', { s: 30, m1: 1.35, m2: 0, m3: 0, fallback: 'psi', scaleByFeatureNorm: true }],
    ['pml-subcenter-arcface-k3', { s: 64, m1: 1, m2: 0.5, m3: 0, fallback: 'thmm', subCenters: 3 }],
    ['opensphere-arcface', { s: 64, m1: 1, m2: 0.5, m3: 0, gradient: 'straight-through', cosineEpsilon: 1e-5, angleCap: 3.14159 }],
    ['opensphere-sphereface', { s: 64, m1: 1.7, m2: 0, m3: 0, fallback: 'psi', gradient: 'straight-through', cosineEpsilon: 1e-5 }],
    ['arcface-capped-exact', { s: 64, m1: 1, m2: 1.2, m3: 0, cosineEpsilon: 1e-5, angleCap: 3.14159 }],
    // Binary heads (docs/losses.md#sphereface2): opensphere's defaults with its CGD, and its MS1M setting exact.
    ['opensphere-sphereface2', { head: 'sphereface2', r: 40, m: 0.4, t: 3, alpha: 0.7, lw: 50, b: sphereFace2InitialBias(C, { r: 40, m: 0.4, t: 3, alpha: 0.7 }), gradient: 'straight-through' }],
    ['sphereface2-exact-ms1m', { head: 'sphereface2', r: 64, m: 0.5, t: 3, alpha: 0.8, lw: 50, b: sphereFace2InitialBias(C, { r: 64, m: 0.5, t: 3, alpha: 0.8 }) }],
  ];
  if (margins.length > 0) variants.splice(0, variants.length);
  for (const name of margins) {
    const head = getMargin(name).head();
    variants.push([name, { margin: name, params: { ...head.params }, state: head.saveState() as Record<string, unknown>, training: true }]);
  }
  return variants.map(([name, v], k) => {
    const K = v.subCenters ?? 1;
    const X = normal(N * d);
    const W = normal(C * K * d);
    const labels = Array.from({ length: N }, (_, i) => (i === N - 1 && k % 2 === 0 ? -1 : rng.int(C)));
    if (k % 3 === 0 && v.margin === undefined && v.head === undefined) X.splice(0, d, ...W.slice(labels[0] * K * d, labels[0] * K * d + d).map((v) => 2 * v)); // cos θ_y = 1 (up to rounding)
    if (v.cosineEpsilon !== undefined || v.angleCap !== undefined) {
      // Where opensphere's clamp and cap bite: a target at cos θ = 1 (clamped to 1 − ε), one at
      // cos θ = −1 (θ + m beyond the cap) and a non-target at cos θ = 1 (whose clamp moves the loss most).
      const row = (i: number, j: number, sign: number) => X.splice(i * d, d, ...W.slice(j * K * d, j * K * d + d).map((v) => sign * v));
      row(0, labels[0], 1);
      row(1, labels[1], -1);
      row(2, (labels[2] + 1) % C, 1);
    }
    const c = { name, N, d, C, X, W, labels, ...v } as CheckCase;
    return { ...c, ...computeCase(c) };
  });
}
