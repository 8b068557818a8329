/**
 * One step of the fused margin head as a plan: a generator that yields kernel launches and
 * read-backs and receives their results. The plan is the math, written once; a synchronous driver
 * (gpu.js cpu, webasm and GL modes) and an asynchronous one (webgpu, where every launch and read
 * is a Promise) run it (src/backend/gpujs/head.ts). Between launches nothing leaves the device:
 * the plan reads back exactly one small array per step (dX, the per-row losses and a flag word,
 * packed together) and dW only when asked.
 *
 * Kernels, in order (N samples, d features, C classes, K = ⌈C/⌈√C⌉⌉ class chunks):
 *   ‖x‖ [N]      X̂ [N,d]     X̂ᵀ [d,N]     ‖w‖ [C]      cos θᵀ = (X̂·Ŵᵀ)ᵀ [C,N]
 *   target logit, target slope [N]         chunk maxima [K,N] → row maxima [N]
 *   chunk Σ_{j≠y} e^{z−M} [K,N] → row sums [N] → row losses [N]
 *   ∂L/∂cos θᵀ ÷ ‖w_j‖ [C,N] (softmax, margin slope, clamp and filter masks in one pass)
 *   radial part of dW [C] → dW [C,d]       dX̂ [N,d] → x̂·dx̂ [N] → dX [N,d]
 *   finite flags of dX [N], of dW [C] → [K], of ‖w‖ → [K]     packed read-back [N+1, d+1]
 */
import { ShapeError } from '../../tensor/errors.js';
import { blendedSlope, blendedTarget, type HeadSpec } from '../head.js';
import * as H from './head-kernels.js';
import { finiteChunks } from './kernels.js';
import type { KernelDims } from './runtime.js';

/** A kernel launch the driver performs; it sends back what the kernel returned. */
export interface Launch {
  /** Discriminant. */
  readonly kind: 'launch';
  /** Cache name of the kernel; unique within a step (a reused output buffer is never live twice). */
  readonly name: string;
  /** The kernel's source text. */
  readonly source: () => string;
  /** Output dimensions, [x] or [x, y]. */
  readonly output: KernelDims;
  /** Arguments: earlier results, host arrays (gpu.js uploads them) and numbers. */
  readonly args: readonly unknown[];
  /** Helper functions the kernel calls. */
  readonly functions?: readonly Function[];
}

/** A read-back the driver performs; it sends back the elements as one flat Float32Array. */
export interface ReadBack {
  /** Discriminant. */
  readonly kind: 'read';
  /** A result of an earlier launch. */
  readonly array: unknown;
}

/** What a plan yields. */
export type PlanStep = Launch | ReadBack;

/** A plan returning R. */
export type Plan<R> = Generator<PlanStep, R, unknown>;

/** Sizes of one head problem. */
export interface HeadDims {
  /** Samples (rows of X). */
  readonly n: number;
  /** Feature dimension. */
  readonly d: number;
  /** Classes (rows of W). */
  readonly c: number;
}

/** What one step of the plan leaves behind. */
export interface StepOutcome {
  /** The packed read-back: dX (N×d), the per-row losses, the flag word (see `unpack`). */
  readonly packed: Float32Array;
  /** dW on the device (valid until the next step). */
  readonly dW: unknown;
  /** dW read back, C×d, when asked for. */
  readonly dWHost?: Float32Array;
}

/** Largest size of one dimension: indices pass through float32, exact below 2^24. */
const MAX_DIM = 2 ** 24;
/** 2-D kernels run 8×8 workgroups, at most 65535 per dimension on WebGPU. */
const MAX_ROWS_2D = 65535 * 8;

/** Throws a ShapeError when the head's sizes exceed what the kernels index exactly. */
export function checkHeadDims(where: string, { n, d, c }: HeadDims): void {
  for (const [name, v] of [['N', n], ['d', d], ['C', c]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ShapeError(`${where}: ${name} must be a positive integer, got ${v}`);
    if (v > MAX_DIM) throw new ShapeError(`${where}: ${name} = ${v} exceeds 2^24, the largest index the kernels keep exact in float32`);
  }
  if (c > MAX_ROWS_2D || n + 1 > MAX_ROWS_2D) {
    throw new ShapeError(`${where}: N = ${n}, C = ${c}: the 2-D kernels dispatch at most ${MAX_ROWS_2D} rows (65535 workgroups of 8)`);
  }
  if (c * Math.max(n, d) >= 2 ** 31) throw new ShapeError(`${where}: C·max(N, d) = ${c * Math.max(n, d)} exceeds 2^31 elements per array`);
}

const src = (f: Function) => () => f.toString();

function launch(name: string, source: () => string, output: KernelDims, args: readonly unknown[], functions?: readonly Function[]): Launch {
  return { kind: 'launch', name, source, output, args, functions };
}

/** Uploads a rows×cols host matrix (as a gpu.js Input) into a device matrix. */
export function* uploadPlan(name: string, input: unknown, rows: number, cols: number): Plan<unknown> {
  return yield launch(`head:upload:${name}`, src(H.copyGrid), [cols, rows], [input]);
}

/**
 * One forward + backward step of the head on device-resident X (N×d) and W (C×d), with labels
 * as float32 (−1 = ignored row) and invV = 1/(number of labelled rows), 0 when there are none.
 */
export function* headStepPlan(
  x: unknown,
  w: unknown,
  labels: Float32Array,
  invV: number,
  { n, d, c }: HeadDims,
  spec: HeadSpec,
  readDW: boolean,
): Plan<StepOutcome> {
  const { s, eps, lambda } = spec;
  const t = spec.filterThreshold;
  const { value, slope, valueParams, slopeParams } = spec.target;
  const chunk = Math.ceil(Math.sqrt(c));
  const chunks = Math.ceil(c / chunk);

  const xNorms = yield launch('head:xNorms', src(H.rowNorms), [n], [x, d]);
  const xh = yield launch('head:xHat', src(H.normalizeRows), [d, n], [x, xNorms, eps]);
  const xhT = yield launch('head:xHatT', src(H.normalizeRowsT), [n, d], [x, xNorms, eps]);
  const wNorms = yield launch('head:wNorms', src(H.rowNorms), [c], [w, d]);
  const zT = yield launch('head:cosines', src(H.cosinesT), [n, c], [xhT, w, wNorms, d, Math.floor(d / 4), eps]);

  const targets = yield launch(`head:targets:${value.name}`, () => H.targetLogitsSource(value.fn.name), [n],
    [zT, labels, s, lambda, ...valueParams], [value.fn, blendedTarget]);
  const slopes = yield launch(`head:slopes:${slope.name}`, () => H.targetSlopesSource(slope.fn.name), [n],
    [zT, labels, spec.straightThrough ? 1 : 0, lambda, ...slopeParams], [slope.fn, blendedSlope]);
  const partialMax = yield launch('head:partialMax', src(H.partialRowMax), [n, chunks], [zT, labels, targets, s, t, chunk, c], [H.headLogit]);
  const maxima = yield launch('head:rowMax', src(H.rowMax), [n], [partialMax, chunks]);
  const partialSum = yield launch('head:partialSum', src(H.partialOtherSumExp), [n, chunks], [zT, labels, maxima, s, t, chunk, c], [H.headLogit]);
  const others = yield launch('head:rowSum', src(H.rowSum), [n], [partialSum, chunks]);
  const loss = yield launch('head:rowLoss', src(H.rowLoss), [n], [labels, targets, maxima, others]);

  const gT = yield launch('head:logitGrad', src(H.logitGradT), [n, c], [zT, labels, targets, slopes, maxima, others, wNorms, s, t, invV, eps]);
  const radial = yield launch('head:radial', src(H.centerRadial), [c], [gT, zT, wNorms, n, eps]);
  const dW = yield launch('head:dW', src(H.centerGrad), [d, c], [gT, xh, w, radial, n, Math.floor(n / 4)]);
  const dxh = yield launch('head:dXhat', src(H.featureGradHat), [d, n], [gT, w, c, Math.floor(c / 4)]);
  const dots = yield launch('head:rowDot', src(H.rowDot), [n], [xh, dxh, d]);
  const dX = yield launch('head:dX', src(H.featureGrad), [d, n], [dxh, xh, dots, xNorms, eps]);

  const dxOk = yield launch('head:finite:dX', src(H.finiteRows), [n], [dX, d]);
  const dwRowsOk = yield launch('head:finite:dWRows', src(H.finiteRows), [c], [dW, d]);
  const dwOk = yield launch('head:finite:dW', src(finiteChunks), [chunks], [dwRowsOk, c, chunk]);
  const wNormOk = yield launch('head:finite:wNorms', src(finiteChunks), [chunks], [wNorms, c, chunk]);
  const packed = yield launch('head:pack', src(H.packResult), [d + 1, n + 1], [dX, loss, xNorms, dxOk, dwOk, wNormOk, n, d, chunks]);

  const host = (yield { kind: 'read', array: packed }) as Float32Array;
  const dWHost = readDW ? ((yield { kind: 'read', array: dW }) as Float32Array) : undefined;
  return { packed: host, dW, dWHost };
}

/** The packed read-back split into dX (N×d), the per-row losses and the flag word. */
export function unpack(packed: Float32Array, { n, d }: HeadDims): { dX: Float32Array; lossRows: Float32Array; flags: number } {
  const dX = new Float32Array(n * d);
  const lossRows = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    dX.set(packed.subarray(i * (d + 1), i * (d + 1) + d), i * d);
    lossRows[i] = packed[i * (d + 1) + d];
  }
  return { dX, lossRows, flags: packed[n * (d + 1)] };
}

/** Names what the flag word says is not finite, or returns null when everything is. */
export function nonFinite(flags: number): string | null {
  if (flags === H.ALL_FINITE) return null;
  if (!(Number.isInteger(flags) && flags >= 0 && flags < 16)) {
    return `the flag word (${flags}, not a sum of 1, 2, 4, 8: the device computed nothing it should have — a WebGPU validation error or a lost device?); so possibly everything is`;
  }
  const bad: string[] = [];
  if (!(flags & 1)) bad.push('the loss');
  if (!(flags & 2)) bad.push('dX');
  if (!(flags & 4)) bad.push('dW');
  if (!(flags & 8)) bad.push('the row norms of X or W (NaN, ±Inf, or a sum of squares past float32)');
  return bad.length > 0 ? bad.join(', ') : `an unreadable flag word (${flags})`;
}
