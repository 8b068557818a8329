/**
 * The gpu.js backend: the Backend primitives as gpu.js kernels (src/backend/gpujs/kernels.ts), in
 * float32 only. Storage is whatever the mode's kernels return with `pipeline: true` — a host
 * Float32Array in `cpu` and `webasm` modes (their "device" is this process's memory), a texture
 * in the GL modes — and results are only read back in `read()` and where the interface returns
 * host data (`argmaxRows`, `allFinite`).
 */
import type { Backend, BinaryFn, ScalarKernel, UnaryFn } from '../backend.js';
import { broadcastShapes, checkAxpbyOperands } from '../backend.js';
import { unitRoundoff, type DType, type TypedArray } from '../../tensor/dtype.js';
import { DTypeError, ShapeError, formatShape } from '../../tensor/errors.js';
import { Tensor, sizeOf } from '../../tensor/tensor.js';
import type { HeadResult, HeadSpec } from '../head.js';
import { adapterLine } from './adapter-info.js';
import { KernelError } from './errors.js';
import { GpujsMarginHead } from './head.js';
import * as K from './kernels.js';
import { GpujsRuntime, isGpuMode, type DeviceArray, type GpujsMode, type KernelArg } from './runtime.js';

/** Largest integer a float32 holds exactly: indices are passed to kernels as float32. */
const MAX_EXACT_INDEX = 2 ** 24;

/**
 * The kernels of kernels.ts the backend launches, by cache name (the function's own name): a
 * primitive can launch only what is listed here (`launch` takes a key of this table), so the
 * table is the list the webgpu conformance block reads (see `BACKEND_KERNELS`).
 */
const KERNELS = {
  affine: K.affine, clamp: K.clamp, between: K.between, where: K.where, acosDerivative: K.acosDerivative,
  sumChunks: K.sumChunks, finiteChunks: K.finiteChunks, sumRows: K.sumRows, sumColumns: K.sumColumns,
  maxRows: K.maxRows, argmaxRows: K.argmaxRows, logSumExpRows: K.logSumExpRows,
  crossEntropyRows: K.crossEntropyRows, rowSumExp: K.rowSumExp, rowOtherSumExp: K.rowOtherSumExp,
  crossEntropyBackward: K.crossEntropyBackward, matmul: K.matmul, transpose: K.transpose,
  gatherColumns: K.gatherColumns, scatterColumns: K.scatterColumns, takeRows: K.takeRows, scatterAddRows: K.scatterAddRows,
} satisfies Record<string, Function>;

/** The name of a kernel of the `KERNELS` table. */
type TableKernel = keyof typeof KERNELS;

/** A kernel's cache name: a table kernel, or one kernel per function of the families. */
type KernelName = TableKernel | 'upload' | `unary:${UnaryFn}` | `binary:${BinaryFn}` | `mapScalar:${string}`;

/**
 * Every kernel the primitives launch, by cache name: `unary:<fn>` and `binary:<fn>` for each
 * function, then the kernels of kernels.ts they launch by name; `mapScalar:<ScalarKernel.name>`
 * adds one per ScalarKernel it is given. (webgpu mode adds `upload`, run by fromArray and fill.)
 * The conformance suite (test/backend/conformance.test.ts) fails when one of them has no
 * primitive check, which runs in every gpu.js mode, webgpu included.
 */
export const BACKEND_KERNELS: readonly string[] = [
  ...K.UNARY_FNS.map((fn) => `unary:${fn}`),
  ...K.BINARY_FNS.map((fn) => `binary:${fn}`),
  ...Object.keys(KERNELS),
];

/** One kernel launch of the backend as the runtime receives it (see `GpujsBackend.observe`). */
export interface BackendLaunch {
  /** The kernel's cache name (one of `BACKEND_KERNELS`, or `mapScalar:<name>`). */
  readonly name: string;
  /** Its source text. */
  readonly source: () => string;
  /** Its flat 1-D output size. */
  readonly size: number;
  /** Its arguments: device arrays (earlier results or host data) and numbers. */
  readonly args: readonly KernelArg[];
  /** The helper functions it calls. */
  readonly functions: readonly Function[];
  /** What the kernel returned. */
  readonly result: DeviceArray;
}

/** Device storage freed by `releaseSince`: using it again is an error, freeing it again a no-op. */
const released = new WeakSet<object>();

/** Device storage is released when its tensor is collected (textures are not garbage-collected). */
const release = new FinalizationRegistry<DeviceArray>((array) => {
  if (!(array instanceof Float32Array) && !released.has(array)) array.delete?.();
});

/** The gpu.js backend in one gpu.js mode. Create it with `createBackend` (src/backend/select.ts). */
export class GpujsBackend implements Backend {
  /** `gpu.js:<mode>`, the mode gpu.js reported after creation (checked, never assumed). */
  readonly name: string;
  private readonly rt: GpujsRuntime;
  private observer: ((launch: BackendLaunch) => void) | undefined;

  /** gpu.js in `mode`; in webgpu mode the kernels run in a worker thread that owns the device (Node only). */
  constructor(mode: GpujsMode) {
    this.rt = new GpujsRuntime(mode, { synchronous: true });
    this.name = `gpu.js:${this.rt.gpu.mode}`;
  }

  /** What runs the kernels: the WebGPU adapter (marked when it is software) in webgpu mode, else the gpu.js mode. */
  get device(): string {
    const a = this.rt.adapter;
    return a === undefined ? `gpu.js ${this.rt.mode} mode` : adapterLine(a);
  }

  /** The gpu.js mode the kernels run in. */
  get mode(): GpujsMode {
    return this.rt.mode;
  }

  // ─── storage ───────────────────────────────────────────────────────────────────────────────

  /** Device buffers made while a mark is open (host arrays are not tracked): `made[i - madeBefore]` is the i-th. */
  private made: Exclude<DeviceArray, Float32Array>[] = [];
  private madeBefore = 0;
  private openMarks = 0;

  private wrap(array: DeviceArray, shape: readonly number[]): Tensor {
    const t = new Tensor(this, array, [...shape], 'float32');
    if (!(array instanceof Float32Array)) {
      release.register(t, array);
      if (this.openMarks > 0) this.made.push(array);
    }
    return t;
  }

  /** How many results live on the device, where that can be counted (webgpu); for tests. @hidden */
  deviceResults(): number | undefined {
    return this.rt.deviceResults();
  }

  /** See Backend.markDevice. */
  markDevice(): number {
    this.openMarks++;
    return this.madeBefore + this.made.length;
  }

  /** See Backend.releaseSince. */
  releaseSince(mark: number, keep: Iterable<Tensor>, done = false): void {
    const kept = new Set<unknown>();
    for (const t of keep) kept.add(t.handle);
    const from = Math.max(0, mark - this.madeBefore);
    // Released buffers leave `made`, so everything after the mark is live: kept, or freed now.
    const stay = this.made.slice(from).filter((array) => {
      if (kept.has(array)) return true;
      released.add(array);
      array.delete?.();
      return false;
    });
    // Kept buffers move up to the mark, so positions before it stay where the caller saw them.
    this.made = [...this.made.slice(0, from), ...stay];
    if (done && this.openMarks > 0 && --this.openMarks === 0) {
      this.madeBefore += this.made.length;
      this.made = [];
    }
  }

  private arr(a: Tensor, where: string): DeviceArray {
    if (a.backend !== this) {
      throw new DTypeError(`${this.name} ${where}: the tensor lives on ${a.backend.name}; move it with fromArray(t.toTypedArray(), …)`);
    }
    if (released.has(a.handle as object)) {
      throw new KernelError(
        `${this.name} ${where}: this tensor's device storage was freed by releaseSince (train frees each step's ` +
          'intermediate results); only the tensors it was told to keep live on',
      );
    }
    return a.handle as DeviceArray;
  }

  private assertFloat32(dtype: DType, where: string): void {
    if (dtype !== 'float32') {
      throw new DTypeError(
        `${this.name} ${where}: the gpu.js backend holds float32 only, not ${dtype}; ` +
          "use the CPU backend ('cpu') for float64, or cast to float32 first",
      );
    }
  }

  /**
   * Test seam: `listener` sees every kernel launch from now on (undefined stops it); returns a
   * function restoring the previous listener. The conformance suite records which kernels each
   * primitive check launches, to fail when a kernel of `BACKEND_KERNELS` has no check
   * (test/backend/conformance.test.ts). Nothing in arcgrad calls it.
   * @hidden
   */
  observe(listener: ((launch: BackendLaunch) => void) | undefined): () => void {
    const previous = this.observer;
    this.observer = listener;
    return () => {
      this.observer = previous;
    };
  }

  /** Runs a kernel (unless the output is empty) and wraps its result. */
  private kernel(name: KernelName, source: () => string, shape: readonly number[], args: readonly KernelArg[], functions: Function[] = []): Tensor {
    const size = sizeOf(shape);
    if (size === 0) return this.wrap(new Float32Array(0), shape);
    if (size > MAX_EXACT_INDEX && isGpuMode(this.mode)) {
      // On a GPU gpu.js computes a flat kernel's thread index in float32: past 2^24 two threads
      // would write one element and another would be skipped, silently.
      throw new ShapeError(
        `${this.name} ${name}: ${formatShape(shape)} has ${size} elements; flat kernels on a GPU index in float32, exact only ` +
          `up to 2^24 = ${MAX_EXACT_INDEX}: split the work, or use the fused margin head (2-D kernels) or the CPU`,
      );
    }
    const result = this.rt.run(name, source, size, this.rt.mode === 'webgpu' ? args.map((a) => this.onDevice(a)) : args, functions);
    this.observer?.({ name, source, size, args, functions, result });
    return this.wrap(result, shape);
  }

  /** Runs the table kernel `name` (see `KERNELS`). */
  private launch(name: TableKernel, shape: readonly number[], args: readonly KernelArg[]): Tensor {
    const f = KERNELS[name];
    return this.kernel(name, () => f.toString(), shape, args);
  }

  fromArray(data: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
    this.assertFloat32(dtype, 'fromArray');
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(`${this.name} fromArray: ${data.length} numbers do not fill shape ${formatShape(shape)}`);
    }
    return this.host(Float32Array.from(data), shape);
  }

  /**
   * A tensor holding host data: the array itself in the cpu, webasm and GL modes (GL uploads it on
   * first use), a copy on the device in webgpu mode. There every tensor lives on the device, so a
   * kernel's tensor arguments are device buffers on every call: gpu.js's webgpu kernels fix each
   * argument's kind at their first call, and one first called with a device buffer fails on host
   * data later ("… is from a different WebGPU device"). It also uploads a tensor once, not once
   * per kernel that reads it.
   */
  private host(array: Float32Array, shape: readonly number[]): Tensor {
    if (this.rt.mode !== 'webgpu' || array.length === 0) return this.wrap(array, shape);
    return this.kernel('upload', () => K.copy.toString(), shape, [array]);
  }

  /** One element on the device, standing in for empty tensors (see onDevice); made once. */
  private emptyStandIn: DeviceArray | undefined;

  /**
   * In webgpu mode, a kernel argument that is an empty host array (an empty tensor stays on the
   * host: nothing to upload) as a device buffer, for the reason `host` gives; kernels never read
   * it (their loops over an empty dimension run zero times), so one stand-in serves them all.
   */
  private onDevice(a: KernelArg): KernelArg {
    if (!(a instanceof Float32Array) || a.length !== 0) return a;
    this.emptyStandIn ??= this.rt.run('upload', () => K.copy.toString(), 1, [new Float32Array(1)]);
    return this.emptyStandIn;
  }

  read(a: Tensor): TypedArray {
    const array = this.arr(a, 'read');
    this.rt.assertAlive('read');
    if (array instanceof Float32Array) return array.slice();
    const values = Float32Array.from((array.toArray() as ArrayLike<number>) ?? []);
    this.rt.assertAlive('read'); // a context lost during the read back returns zeros
    if (values.length !== a.size) {
      throw new KernelError(`${this.name} read: the device returned ${values.length} values for a tensor of ${a.size}`);
    }
    return values;
  }

  fill(shape: readonly number[], value: number, dtype: DType): Tensor {
    this.assertFloat32(dtype, 'fill');
    // A host array: in cpu/webasm modes that is device memory; GL modes upload it on first use.
    return this.host(new Float32Array(sizeOf(shape)).fill(value), shape);
  }

  reshape(a: Tensor, shape: readonly number[]): Tensor {
    if (sizeOf(shape) !== a.size) {
      throw new ShapeError(`reshape: cannot view ${formatShape(a.shape)} as ${formatShape(shape)}`);
    }
    return new Tensor(this, this.arr(a, 'reshape'), [...shape], 'float32'); // flat storage: same data
  }

  cast(a: Tensor, dtype: DType): Tensor {
    this.assertFloat32(dtype, 'cast');
    this.arr(a, 'cast');
    return a; // float32 to float32, and tensors are immutable
  }

  allFinite(a: Tensor): boolean {
    const partial = this.chunked('finiteChunks', this.arr(a, 'allFinite'), a.size);
    return this.read(partial).every((v) => v === 1);
  }

  // ─── elementwise ───────────────────────────────────────────────────────────────────────────

  unary(fn: UnaryFn, a: Tensor): Tensor {
    return this.kernel(`unary:${fn}`, () => K.unarySource(fn), a.shape, [this.arr(a, fn)]);
  }

  binary(fn: BinaryFn, a: Tensor, b: Tensor): Tensor {
    const shape = broadcastShapes(a.shape, b.shape);
    if (shape === null) {
      throw new ShapeError(`${fn}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast`);
    }
    const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
    const [ars, acs] = broadcastStrides(a.shape, shape.length);
    const [brs, bcs] = broadcastStrides(b.shape, shape.length);
    return this.kernel(`binary:${fn}`, () => K.binarySource(fn), shape, [
      this.arr(a, fn), this.arr(b, fn), cols, ars, acs, brs, bcs,
    ]);
  }

  affine(a: Tensor, scale: number, shift: number): Tensor {
    return this.launch('affine', a.shape, [this.arr(a, 'affine'), scale, shift]);
  }

  /** The composition the primitive is defined as (two affine launches and an add): no fused kernel here yet. */
  axpby(x: Tensor, alpha: number, y: Tensor, beta: number): Tensor {
    checkAxpbyOperands(x, y);
    return this.binary('add', this.affine(x, alpha, 0), this.affine(y, beta, 0));
  }

  clamp(a: Tensor, lo: number, hi: number): Tensor {
    return this.launch('clamp', a.shape, [this.arr(a, 'clamp'), lo, hi]);
  }

  between(a: Tensor, lo: number, hi: number): Tensor {
    return this.launch('between', a.shape, [this.arr(a, 'between'), lo, hi]);
  }

  where(mask: Tensor, a: Tensor, b: Tensor): Tensor {
    return this.launch('where', a.shape, [
      this.arr(mask, 'where'), this.arr(a, 'where'), this.arr(b, 'where'),
    ]);
  }

  acosDerivative(a: Tensor): Tensor {
    const inside = 1 - unitRoundoff('float32');
    return this.launch('acosDerivative', a.shape, [this.arr(a, 'acosDerivative'), inside]);
  }

  mapScalar(a: Tensor, kernel: ScalarKernel, p: readonly [number, number, number, number]): Tensor {
    const fnName = kernel.fn.name;
    if (!/^[A-Za-z_$][\w$]*$/.test(fnName) || !kernel.fn.toString().startsWith('function')) {
      throw new KernelError(
        `${this.name} mapScalar: ScalarKernel '${kernel.name}' must have a named 'function' declaration as fn ` +
          `(gpu.js compiles it from its source text), got ${kernel.fn.toString().slice(0, 60)}…`,
      );
    }
    return this.kernel(`mapScalar:${kernel.name}`, () => K.mapScalarSource(fnName), a.shape, [this.arr(a, 'mapScalar'), ...p], [kernel.fn]);
  }

  // ─── reductions ────────────────────────────────────────────────────────────────────────────

  /** One output per chunk of ⌈√n⌉ elements: the first pass of a two-pass reduction. */
  private chunked(name: 'sumChunks' | 'finiteChunks', a: DeviceArray, n: number): Tensor {
    const chunk = Math.max(1, Math.ceil(Math.sqrt(n)));
    const chunks = Math.ceil(n / chunk);
    return this.launch(name, [chunks], [a, n, chunk]);
  }

  sum(a: Tensor, axis?: 0 | 1): Tensor {
    const x = this.arr(a, 'sum');
    if (axis === undefined || a.rank < 2) {
      if (a.size === 0) return this.fill([], 0, 'float32');
      const partial = this.chunked('sumChunks', x, a.size);
      return this.launch('sumChunks', [], [this.arr(partial, 'sum'), partial.size, partial.size]);
    }
    const [n, c] = a.shape;
    if (axis === 0) return this.launch('sumColumns', [c], [x, n, c]);
    return this.launch('sumRows', [n], [x, c]);
  }

  sumToShape(a: Tensor, shape: readonly number[]): Tensor {
    // Host logic over primitives: sum away the leading axes broadcasting added, then the axes
    // that were 1 in `shape` (keeping them as 1).
    let r = a;
    while (r.rank > shape.length) r = r.rank === 2 ? this.sum(r, 0) : this.sum(r);
    for (let axis = 0; axis < r.rank; axis++) {
      if (shape[axis] !== 1 || r.shape[axis] === 1) continue;
      const kept = r.shape.map((d, i) => (i === axis ? 1 : d));
      r = this.reshape(r.rank === 2 ? this.sum(r, axis as 0 | 1) : this.sum(r), kept);
    }
    return r;
  }

  private perRow(name: 'maxRows' | 'argmaxRows' | 'logSumExpRows', a: Tensor): Tensor {
    this.expectNonEmptyRows(name, a);
    const [n, c] = a.shape;
    return this.launch(name, [n], [this.arr(a, name), c]);
  }

  private expectNonEmptyRows(name: string, a: Tensor): void {
    if (a.rank !== 2 || (a.shape[0] > 0 && a.shape[1] === 0)) {
      throw new ShapeError(`${name}: needs a matrix with at least one column, got ${formatShape(a.shape)}`);
    }
  }

  maxRows(a: Tensor): Tensor {
    return this.perRow('maxRows', a);
  }

  argmaxRows(a: Tensor): Int32Array {
    return Int32Array.from(this.read(this.perRow('argmaxRows', a)));
  }

  logSumExpRows(a: Tensor): Tensor {
    return this.perRow('logSumExpRows', a);
  }

  crossEntropyRows(z: Tensor, labels: Int32Array): Tensor {
    const [n, c] = z.shape;
    this.expectNonEmptyRows('crossEntropyRows', z);
    this.checkIndex('crossEntropyRows', labels, c, n, true);
    return this.launch('crossEntropyRows', [n], [this.arr(z, 'crossEntropyRows'), Float32Array.from(labels), c]);
  }

  crossEntropyBackward(z: Tensor, labels: Int32Array, scale: number): Tensor {
    const [n, c] = z.shape;
    this.expectNonEmptyRows('crossEntropyBackward', z);
    this.checkIndex('crossEntropyBackward', labels, c, n, true);
    const a = this.arr(z, 'crossEntropyBackward');
    const y = Float32Array.from(labels);
    const rowMax = this.arr(this.maxRows(z), 'crossEntropyBackward');
    const total = this.launch('rowSumExp', [n], [a, rowMax, c]);
    const others = this.launch('rowOtherSumExp', [n], [a, y, rowMax, c]);
    return this.launch('crossEntropyBackward', z.shape, [
      a, y, rowMax, this.arr(total, 'crossEntropyBackward'), this.arr(others, 'crossEntropyBackward'), c, scale,
    ]);
  }

  // ─── linear algebra and indexing ───────────────────────────────────────────────────────────

  matmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
    const [ar, ac] = a.shape;
    const [br, bc] = b.shape;
    const n = transA ? ac : ar;
    const k = transA ? ar : ac;
    const m = transB ? br : bc;
    if (a.rank !== 2 || b.rank !== 2 || (transB ? bc : br) !== k) {
      throw new ShapeError(`matmul: ${formatShape(a.shape)}${transA ? 'ᵀ' : ''} · ${formatShape(b.shape)}${transB ? 'ᵀ' : ''} do not fit`);
    }
    // Element (i, p) of op(A) and (p, j) of op(B) through strides: no transpose is materialised.
    return this.launch('matmul', [n, m], [
      this.arr(a, 'matmul'), this.arr(b, 'matmul'), k, m,
      transA ? 1 : ac, transA ? ac : 1,
      transB ? 1 : bc, transB ? bc : 1, k - (k % 4),
    ]);
  }

  transpose(a: Tensor): Tensor {
    const [n, c] = a.shape;
    return this.launch('transpose', [c, n], [this.arr(a, 'transpose'), n, c]);
  }

  gatherColumns(a: Tensor, index: Int32Array): Tensor {
    const [n, c] = a.shape;
    this.checkIndex('gatherColumns', index, c, n, true);
    return this.launch('gatherColumns', [n], [this.arr(a, 'gatherColumns'), Float32Array.from(index), c]);
  }

  scatterColumns(a: Tensor, index: Int32Array, values: Tensor): Tensor {
    const [n, c] = a.shape;
    this.checkIndex('scatterColumns', index, c, n, true);
    return this.launch('scatterColumns', a.shape, [
      this.arr(a, 'scatterColumns'), Float32Array.from(index), this.arr(values, 'scatterColumns'), c,
    ]);
  }

  takeRows(a: Tensor, index: Int32Array): Tensor {
    const [rows, d] = a.shape;
    this.checkIndex('takeRows', index, rows, index.length, true);
    return this.launch('takeRows', [index.length, d], [this.arr(a, 'takeRows'), Float32Array.from(index), d]);
  }

  scatterAddRows(src: Tensor, index: Int32Array, rows: number): Tensor {
    const d = src.shape[1];
    this.checkIndex('scatterAddRows', index, rows, src.shape[0], true);
    // Counting sort of the source rows by destination (host: the index is host data anyway).
    const offsets = new Float32Array(rows + 1);
    for (const r of index) if (r >= 0) offsets[r + 1]++; // −1: dropped
    for (let r = 0; r < rows; r++) offsets[r + 1] += offsets[r];
    const next = offsets.slice(0, rows);
    const order = new Float32Array(offsets[rows]);
    index.forEach((r, i) => { if (r >= 0) order[next[r]++] = i; });
    return this.launch('scatterAddRows', [rows, d], [
      this.arr(src, 'scatterAddRows'), offsets, order.length > 0 ? order : new Float32Array(1), d,
    ]);
  }

  // ─── fused paths ───────────────────────────────────────────────────────────────────────────

  private head: GpujsMarginHead | undefined;

  /**
   * The margin head's loss and both gradients in one call (src/backend/gpujs/head.ts): X and W
   * are uploaded as matrices, dX and dW come back as tensors on this backend.
   */
  fusedMarginHead(x: Tensor, w: Tensor, labels: Int32Array, spec: HeadSpec): HeadResult {
    if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[1]) {
      throw new ShapeError(`${this.name} fusedMarginHead: need X [N,d] and W [C,d], got ${formatShape(x.shape)} and ${formatShape(w.shape)}`);
    }
    const [n, d] = x.shape;
    const c = w.shape[0];
    const head = (this.head ??= new GpujsMarginHead(this.rt));
    const r = head.run(this.read(x), this.read(w), labels, { n, d, c }, spec);
    return { loss: r.loss, dX: this.fromArray(r.dX, [n, d], 'float32'), dW: this.fromArray(r.dW, [c, d], 'float32') };
  }

  /** Kernels read out of bounds silently (or crash, in wasm), so indices are checked here. */
  private checkIndex(op: string, index: Int32Array, bound: number, length: number, allowSkip: boolean): void {
    if (index.length !== length) {
      throw new ShapeError(`${op}: ${index.length} indices for ${length} rows`);
    }
    if (bound > MAX_EXACT_INDEX) {
      throw new ShapeError(`${op}: ${bound} rows or columns exceed float32's exact integers (2^24)`);
    }
    for (const i of index) {
      if (!(i < bound && (i >= 0 || (allowSkip && i === -1)))) {
        throw new ShapeError(`${op}: index ${i} is outside [${allowSkip ? -1 : 0}, ${bound})`);
      }
    }
  }

  /** Releases gpu.js's kernels and context; the backend cannot be used afterwards. */
  destroy(): void {
    this.rt.destroy();
  }
}

/** Row and column strides that read `shape` broadcast to an output of `rank` (0 on broadcast axes). */
function broadcastStrides(shape: readonly number[], rank: number): [number, number] {
  const padded = [...Array(Math.max(0, 2 - shape.length)).fill(1), ...shape];
  const [rows, cols] = padded;
  // A rank-1 output is one row: its row stride is never used.
  return [rank < 2 || rows === 1 ? 0 : cols, cols === 1 ? 0 : 1];
}
