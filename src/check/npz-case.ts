/**
 * Production-size cases: a case whose arrays are in a numpy `.npz` and whose options are a JSON
 * string in it,
 *
 *   np.savez("head.npz", X=X, W=W, labels=labels, loss=loss, dX=dX, dW=dW,
 *            case=json.dumps({"name": "r100-head", "s": 64, "m1": 1, "m2": 0.5, "m3": 0}))
 *
 * (np.savez_compressed too; float64 or float32 arrays, int64 or int32 labels), checked class block
 * by class block, so that a 512×512×100,000 head never holds an N×C matrix or a second copy of W:
 *
 *   pass 1, per block of B classes: the block's logits z (the tape's margin head on W's rows of
 *     those classes, labels outside the block read as −1) → each row's running max and Σ e^{z − max},
 *     and the target logit where the label is in the block;
 *   then lse_i = log Σ_j e^{z_ij} and the loss (1/V)·Σ_i (lse_i − z_{i,y_i}) over the V labelled rows;
 *   pass 2, per block: the tape's gradient of Σ_ij G_ij·z_ij with the constant
 *     G_ij = (e^{z_ij − lse_i} − [j = y_i])/V (0 for ignored rows) = ∂L/∂z_ij, which is the
 *     block's share of dX (summed over blocks) and its rows of dW (compared at once, then dropped).
 *
 * Every option the margin head computes per (row, class) entry works blockwise (the conventions,
 * interclass filtering: a row whose target is elsewhere has only non-targets here). SphereFace2
 * and defined margins (whose hooks may read the whole batch) are refused with a CaseFileError.
 * test/check/npz-case.test.ts holds the blockwise result to `computeCase` on the same cases.
 */
import type { Backend } from '../backend/backend.js';
import { cpu } from '../backend/cpu.js';
import { marginLogits } from '../losses/margin-head.js';
import { resolveMarginOptions } from '../losses/options.js';
import { mul, sum } from '../ops/index.js';
import { valueAndGrad } from '../tape/grad.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { CaseFileError, caseOptions, normwiseError, parseCase, type CaseResult, type CheckCase } from './cases.js';
import { NpzError, NpzFile, type NpyArray } from './npz.js';

type Values = Float64Array | Float32Array;

/** A case with its arrays as typed arrays (from an `.npz`, or any caller). */
export interface ArrayCase {
  /** The options (the JSON fields of a case; its X, W, labels, loss, dX, dW are unused here). */
  options: CheckCase;
  /** Features, N×d row-major. */
  X: Values;
  /** Class centers, (C·K)×d row-major. */
  W: Values;
  /** Labels, −1 for ignored rows. */
  labels: Int32Array;
  /** The implementation's loss, if given. */
  loss?: number;
  /** The implementation's ∂loss/∂X, if given. */
  dX?: Values;
  /** The implementation's ∂loss/∂W, if given. */
  dW?: Values;
}

/** Options of `runArrayCase`. */
export interface ArrayCheckOptions {
  /** Largest relative error that passes. */
  tol: number;
  /** dtype arcgrad computes in. */
  dtype: DType;
  /** Backend arcgrad computes on (the CPU reference unless given). */
  backend?: Backend;
  /** Classes per block (default: blocks of about 2²⁰ logits). */
  blockClasses?: number;
  /** Called after each block of each pass (pass 1 or 2, blocks done, blocks in all). */
  onProgress?: (pass: 1 | 2, done: number, blocks: number) => void;
}

function floats(a: NpyArray, name: string, path: string): Values {
  if (a.data instanceof Float64Array || a.data instanceof Float32Array) return a.data;
  throw new NpzError(`${path}: member '${name}' must hold floats (float64 or float32)`);
}

/** Reads an `.npz` case (see the file header); a CaseFileError or NpzError names what is wrong. */
export async function readNpzCase(path: string): Promise<ArrayCase> {
  const npz = NpzFile.open(path);
  try {
    if (!npz.has('case')) throw new NpzError(`${path}: no member 'case' (the options as a JSON string: np.savez(..., case=json.dumps({...})))`);
    let raw: unknown;
    try {
      raw = JSON.parse(await npz.string('case'));
    } catch (e) {
      if (e instanceof NpzError) throw e;
      throw new CaseFileError(`${path}: member 'case' is not valid JSON (${(e as Error).message})`);
    }
    const X = await npz.array('X');
    const W = await npz.array('W');
    const labels = await npz.array('labels');
    if (X.shape.length !== 2 || W.shape.length !== 2 || X.shape[1] !== W.shape[1] || X.shape[0] === 0 || X.shape[1] === 0 || W.shape[0] === 0) {
      throw new CaseFileError(`${path}: need X [N, d] and W [C·K, d] with one d, got X (${X.shape.join(', ')}) and W (${W.shape.join(', ')})`);
    }
    const [N, d] = X.shape;
    const options = parseCase(raw, 0, { N, d, wRows: W.shape[0] });
    const where = `${path}: case '${options.name}'`;
    const K = options.subCenters ?? 1;
    if (W.shape[0] !== options.C * K) throw new CaseFileError(`${where}: W has ${W.shape[0]} rows, expected C·K = ${options.C}·${K}`);
    if (options.margin !== undefined || options.head !== undefined) {
      throw new CaseFileError(`${where}: an .npz case is checked class block by class block, which the combined margin allows; ${options.margin ?? options.head} needs the JSON form`);
    }
    const x = floats(X, 'X', path);
    const w = floats(W, 'W', path);
    for (const [name, v] of [['X', x], ['W', w]] as const) {
      const i = v.findIndex((e) => !Number.isFinite(e));
      if (i >= 0) throw new CaseFileError(`${where}: array '${name}' has a non-finite entry at index ${i}: ${v[i]}`);
    }
    if (labels.shape.length !== 1 || labels.shape[0] !== N) throw new CaseFileError(`${where}: labels must have shape (${N},), got (${labels.shape.join(', ')})`);
    const y = new Int32Array(N);
    for (let i = 0; i < N; i++) {
      const l = Number(labels.data[i]);
      if (!Number.isInteger(l) || l < -1 || l >= options.C) throw new CaseFileError(`${where}: labels entry ${i} is ${l}, not an integer in [−1, ${options.C})`);
      y[i] = l;
    }
    const out: ArrayCase = { options, X: x, W: w, labels: y };
    if (npz.has('loss')) {
      const loss = await npz.array('loss');
      if (loss.data.length !== 1) throw new CaseFileError(`${where}: loss must hold one number, got shape (${loss.shape.join(', ')})`);
      out.loss = Number(loss.data[0]);
    }
    for (const [name, n] of [['dX', x.length], ['dW', w.length]] as const) {
      if (!npz.has(name)) continue;
      const v = floats(await npz.array(name), name, path);
      if (v.length !== n) throw new CaseFileError(`${where}: ${name} has ${v.length} numbers, expected ${n}`);
      out[name] = v;
    }
    return out;
  } finally {
    npz.close();
  }
}

/** Running ‖ours − theirs‖∞ and ‖theirs‖∞ (normwiseError, accumulated block by block). */
class NormwiseAccumulator {
  private num = 0;
  private den = 0;
  add(ours: ArrayLike<number>, theirs: ArrayLike<number>, offset = 0): void {
    for (let i = 0; i < ours.length; i++) {
      this.num = Math.max(this.num, Math.abs(ours[i] - theirs[offset + i]));
      this.den = Math.max(this.den, Math.abs(theirs[offset + i]));
    }
  }
  get error(): number {
    return this.den === 0 ? this.num : this.num / this.den;
  }
}

/** The loss, dX and dW (as a callback per block of W's rows) of a case, computed class block by class block (file header). */
export function computeArrayCase(
  c: ArrayCase,
  options: Pick<ArrayCheckOptions, 'dtype' | 'backend' | 'blockClasses' | 'onProgress'>,
  onBlockGradW: (rowStart: number, dW: Float64Array | Float32Array) => void,
): { loss: number; dX: Float64Array } {
  const o = resolveMarginOptions(caseOptions(c.options), `case '${c.options.name}'`);
  const { N, d, C } = c.options;
  const K = o.subCenters;
  const be = options.backend ?? cpu;
  const dtype = options.dtype;
  const B = Math.max(1, Math.min(C, options.blockClasses ?? Math.floor((1 << 20) / N)));
  const blocks = Math.ceil(C / B);
  const x = be.fromArray(c.X, [N, d], dtype);
  const blockOf = (b: number) => {
    const [lo, hi] = [b * B, Math.min(C, (b + 1) * B)];
    const w = be.fromArray(c.W.subarray(lo * K * d, hi * K * d), [(hi - lo) * K, d], dtype);
    const local = Array.from(c.labels, (l) => (l >= lo && l < hi ? l - lo : -1));
    return { lo, hi, w, local };
  };
  // Pass 1: per-row log-sum-exp and target logits.
  const max = new Float64Array(N).fill(-Infinity);
  const sumExp = new Float64Array(N);
  const target = new Float64Array(N);
  for (let b = 0; b < blocks; b++) {
    const { lo, hi, w, local } = blockOf(b);
    const z = marginLogits(x, w, local, o).toTypedArray();
    const width = hi - lo;
    for (let i = 0; i < N; i++) {
      let m = max[i];
      for (let j = 0; j < width; j++) m = Math.max(m, z[i * width + j]);
      let s = sumExp[i] * Math.exp(max[i] - m);
      if (max[i] === -Infinity) s = 0;
      for (let j = 0; j < width; j++) s += Math.exp(z[i * width + j] - m);
      [max[i], sumExp[i]] = [m, s];
      if (local[i] >= 0) target[i] = z[i * width + local[i]];
    }
    options.onProgress?.(1, b + 1, blocks);
  }
  const lse = Float64Array.from(max, (m, i) => m + Math.log(sumExp[i]));
  let V = 0;
  let loss = 0;
  for (let i = 0; i < N; i++) {
    if (c.labels[i] < 0) continue;
    V++;
    loss += lse[i] - target[i];
  }
  loss = V === 0 ? 0 : loss / V;
  // Pass 2: the gradient through each block with ∂L/∂z as a constant cotangent.
  const dX = new Float64Array(N * d);
  for (let b = 0; b < blocks; b++) {
    const { lo, hi, w, local } = blockOf(b);
    const width = hi - lo;
    const surrogate = (a: Tensor, wb: Tensor) => {
      const z = marginLogits(a, wb, local, o);
      const values = z.toTypedArray();
      const g = new Float64Array(N * width);
      for (let i = 0; i < N; i++) {
        if (c.labels[i] < 0) continue;
        for (let j = 0; j < width; j++) g[i * width + j] = (Math.exp(values[i * width + j] - lse[i]) - (j === local[i] ? 1 : 0)) / V;
      }
      return sum(mul(z, be.fromArray(g, [N, width], dtype)));
    };
    const { grads } = valueAndGrad(surrogate)(x, w);
    const gx = grads[0].toTypedArray();
    for (let k = 0; k < gx.length; k++) dX[k] += gx[k];
    onBlockGradW(lo * K * d, grads[1].toTypedArray() as Float64Array | Float32Array);
    options.onProgress?.(2, b + 1, blocks);
  }
  return { loss, dX };
}

/** Recomputes an array case block by block and compares it with its loss, dX and dW. */
export function runArrayCase(c: ArrayCase, options: ArrayCheckOptions): CaseResult {
  const dW = new NormwiseAccumulator();
  const ours = computeArrayCase(c, options, (offset, block) => {
    if (c.dW !== undefined) dW.add(block, c.dW, offset);
  });
  const errors: CaseResult['errors'] = {};
  if (c.loss !== undefined) errors.loss = normwiseError([ours.loss], [c.loss]);
  if (c.dX !== undefined) errors.dX = normwiseError(ours.dX, c.dX);
  if (c.dW !== undefined) errors.dW = dW.error;
  const pass = Object.values(errors).every((e) => e !== undefined && e <= options.tol);
  return { name: c.options.name, loss: ours.loss, errors, pass };
}
