/**
 * The kernel bodies of the gpu.js backend, in the subset of JavaScript that gpu.js compiles:
 * no closures (sizes and parameters arrive as arguments), `let`/`const`, `Math.*`, if/else, loops
 * with argument bounds. gpu.js parses each function's source text, so these must stay plain
 * functions (no default parameters, destructuring, optional chaining, or helpers from outside).
 *
 * Every tensor is a flat row-major array and every kernel a flat 1-D output: thread x is the
 * output's flat index, and a matrix position is recovered as r = floor(x / cols), c = x − r·cols.
 * Flat layout is what makes uploads cheap (one typed array, no nested arrays) and lets one
 * compiled kernel serve every shape.
 *
 * On a GPU that split needs care. x/cols is a float division, which WGSL allows to be 2.5 ulp
 * off (and even a correctly rounded float32 x/cols rounds up to the next integer above 2^23), so
 * floor(x / cols) may come out one too large or too small; every kernel that splits a flat index
 * corrects r by one either way, with products and differences that are exact integers in float32
 * (x + cols ≤ 2^24). It is written out in each kernel, not called as a helper: a helper call per
 * element doubled the time of an elementwise kernel in webasm mode. Float32 indices also bound
 * every flat size on a GPU to 2^24 (gpu.js computes thread x and every index in float32 there).
 * Loops count with integers from 0 (see head-kernels.ts: gpu.js types a loop variable started
 * from a float as f32, and WGSL has no ++ for f32).
 */
import type { BinaryFn, UnaryFn } from '../backend.js';

/** The part of gpu.js's kernel `this` that these kernels use. */
interface KernelThis {
  thread: { x: number };
}

/** Statements computing `fn(x)`, ending in a return. */
const UNARY_BODIES: Record<UnaryFn, string> = {
  neg: 'return -x;',
  exp: 'return Math.exp(x);',
  log: 'return Math.log(x);',
  sqrt: 'return Math.sqrt(x);',
  square: 'return x * x;',
  reciprocal: 'return 1 / x;',
  abs: 'return Math.abs(x);',
  sign: 'if (x > 0) { return 1; } if (x < 0) { return -1; } return 0;',
  step: 'if (x > 0) { return 1; } return 0;',
  floor: 'return Math.floor(x);',
  cos: 'return Math.cos(x);',
  sin: 'return Math.sin(x);',
  acos: 'return Math.acos(x);',
  relu: 'if (x > 0) { return x; } return 0;',
};

/** Statements computing `fn(x, y)`, ending in a return. */
const BINARY_BODIES: Record<BinaryFn, string> = {
  add: 'return x + y;',
  sub: 'return x - y;',
  mul: 'return x * y;',
  div: 'return x / y;',
  max: 'return Math.max(x, y);',
  min: 'return Math.min(x, y);',
  greater: 'if (x > y) { return 1; } return 0;',
};

/** Every unary function, in the order of the kernel bodies (one compiled kernel each). */
export const UNARY_FNS = Object.keys(UNARY_BODIES) as readonly UnaryFn[];

/** Every binary function (one compiled kernel each). */
export const BINARY_FNS = Object.keys(BINARY_BODIES) as readonly BinaryFn[];

/** Kernel source of the elementwise `fn` over a flat array. */
export function unarySource(fn: UnaryFn): string {
  return `function (a) { const x = a[this.thread.x]; ${UNARY_BODIES[fn]} }`;
}

/**
 * Kernel source of the broadcasting `fn(a, b)`: the output is [rows, cols] (flat); each operand is
 * read through a row stride and a column stride, which are 0 along the axes it is broadcast over.
 */
export function binarySource(fn: BinaryFn): string {
  return (
    'function (a, b, cols, ars, acs, brs, bcs) {' +
    ' let r = Math.floor(this.thread.x / cols);' +
    ' if (r * cols > this.thread.x) { r = r - 1; } if (this.thread.x - r * cols >= cols) { r = r + 1; }' +
    ' const c = this.thread.x - r * cols;' +
    ' const x = a[r * ars + c * acs]; const y = b[r * brs + c * bcs];' +
    ` ${BINARY_BODIES[fn]} }`
  );
}

/** Kernel source applying the helper `fnName(x, p0, p1, p2, p3)` (a ScalarKernel) elementwise. */
export function mapScalarSource(fnName: string): string {
  return `function (a, p0, p1, p2, p3) { return ${fnName}(a[this.thread.x], p0, p1, p2, p3); }`;
}

/** a itself (webgpu mode uploads host data with it: see GpujsBackend's `host`). */
export function copy(this: KernelThis, a: Float32Array): number {
  return a[this.thread.x];
}

/** `scale·a + shift`. */
export function affine(this: KernelThis, a: Float32Array, scale: number, shift: number): number {
  return a[this.thread.x] * scale + shift;
}

/** `min(max(a, lo), hi)`. */
export function clamp(this: KernelThis, a: Float32Array, lo: number, hi: number): number {
  return Math.min(Math.max(a[this.thread.x], lo), hi);
}

/** 1 where lo ≤ a ≤ hi. */
export function between(this: KernelThis, a: Float32Array, lo: number, hi: number): number {
  const x = a[this.thread.x];
  if (x >= lo && x <= hi) {
    return 1;
  }
  return 0;
}

/** `mask ≠ 0 ? a : b`. */
export function where(this: KernelThis, mask: Float32Array, a: Float32Array, b: Float32Array): number {
  if (mask[this.thread.x] !== 0) {
    return a[this.thread.x];
  }
  return b[this.thread.x];
}

/** −1/√(1 − x²) with x clamped to ±inside (the float nearest ±1 inside the open interval). */
export function acosDerivative(this: KernelThis, a: Float32Array, inside: number): number {
  const c = Math.min(Math.max(a[this.thread.x], -inside), inside);
  return -1 / Math.sqrt((1 - c) * (1 + c));
}

/**
 * Sum of each chunk of `chunk` consecutive elements of a flat array of `n` (the first pass of a
 * full sum; run again over the partial sums for the second).
 */
export function sumChunks(this: KernelThis, a: Float32Array, n: number, chunk: number): number {
  const start = this.thread.x * chunk;
  let s = 0;
  for (let p = 0; p < chunk; p++) {
    if (start + p < n) {
      s += a[start + p];
    }
  }
  return s;
}

/** 1 when every element of the chunk is finite (NaN fails every comparison, so it counts as not). */
export function finiteChunks(this: KernelThis, a: Float32Array, n: number, chunk: number): number {
  const start = this.thread.x * chunk;
  let ok = 1;
  for (let p = 0; p < chunk; p++) {
    // One comparison that NaN fails: |v| ≤ FLT_MAX is false for NaN and ±Inf. Kept inside the
    // `if` (not in a variable): gpu.js types a variable by its first use and GLSL cannot store a
    // bool in the float it picks ("cannot convert from 'bool' to 'highp float'" in WebGL2).
    if (start + p < n && !(Math.abs(a[start + p]) <= 3.4028234663852886e38)) {
      ok = 0;
    }
  }
  return ok;
}

/** Row sums of an [n, cols] matrix: one thread per row. */
export function sumRows(this: KernelThis, a: Float32Array, cols: number): number {
  const base = this.thread.x * cols;
  let s = 0;
  for (let j = 0; j < cols; j++) {
    s += a[base + j];
  }
  return s;
}

/** Column sums of a [rows, cols] matrix: one thread per column. */
export function sumColumns(this: KernelThis, a: Float32Array, rows: number, cols: number): number {
  let s = 0;
  for (let i = 0; i < rows; i++) {
    s += a[i * cols + this.thread.x];
  }
  return s;
}

/** Row maxima of an [n, cols] matrix. */
export function maxRows(this: KernelThis, a: Float32Array, cols: number): number {
  const base = this.thread.x * cols;
  let m = a[base];
  for (let j = 1; j < cols; j++) {
    m = Math.max(m, a[base + j]);
  }
  return m;
}

/** Index of the first maximum of each row, as a float (read back into an Int32Array). */
export function argmaxRows(this: KernelThis, a: Float32Array, cols: number): number {
  const base = this.thread.x * cols;
  let best = 0;
  let m = a[base];
  for (let j = 1; j < cols; j++) {
    if (a[base + j] > m) {
      m = a[base + j];
      best = j;
    }
  }
  return best;
}

/** log Σ_j exp(a_ij) per row, with the row maximum subtracted first so that exp cannot overflow. */
export function logSumExpRows(this: KernelThis, a: Float32Array, cols: number): number {
  const base = this.thread.x * cols;
  let m = a[base];
  for (let j = 1; j < cols; j++) {
    m = Math.max(m, a[base + j]);
  }
  let s = 0;
  for (let q = 0; q < cols; q++) {
    s += Math.exp(a[base + q] - m); // q, not j: see the note in matmul
  }
  return m + Math.log(s);
}

/**
 * Softmax cross-entropy of each row against its label (0 for label −1), accurate when the target
 * dominates: with m the row max and o = Σ_{j≠y} exp(z_j − m), the loss is log1p(o) when z_y = m,
 * else m − z_y + log(o + exp(z_y − m)). log1p is written out (x·log(u)/(u − 1), u = 1 + x,
 * Goldberg's trick) because gpu.js has no Math.log1p.
 */
export function crossEntropyRows(this: KernelThis, a: Float32Array, labels: Float32Array, cols: number): number {
  const row = this.thread.x;
  const y = labels[row];
  if (y < 0) {
    return 0;
  }
  const base = row * cols;
  let m = a[base];
  for (let j = 1; j < cols; j++) {
    m = Math.max(m, a[base + j]);
  }
  let o = 0;
  for (let q = 0; q < cols; q++) {
    if (q !== y) {
      o += Math.exp(a[base + q] - m);
    }
  }
  const zy = a[base + y];
  if (zy === m) {
    const u = 1 + o;
    if (u === 1) {
      return o;
    }
    return (o * Math.log(u)) / (u - 1);
  }
  return m - zy + Math.log(o + Math.exp(zy - m));
}

/** Per row: Σ_j exp(z_j − m_j), given the row maxima m. */
export function rowSumExp(this: KernelThis, a: Float32Array, rowMax: Float32Array, cols: number): number {
  const base = this.thread.x * cols;
  let s = 0;
  for (let j = 0; j < cols; j++) {
    s += Math.exp(a[base + j] - rowMax[this.thread.x]);
  }
  return s;
}

/** Per row: Σ_{j≠y} exp(z_j − m) (0 for label −1), the non-target mass, summed directly. */
export function rowOtherSumExp(this: KernelThis, a: Float32Array, labels: Float32Array, rowMax: Float32Array, cols: number): number {
  const y = labels[this.thread.x];
  if (y < 0) {
    return 0;
  }
  const base = this.thread.x * cols;
  let s = 0;
  for (let j = 0; j < cols; j++) {
    if (j !== y) {
      s += Math.exp(a[base + j] - rowMax[this.thread.x]);
    }
  }
  return s;
}

/**
 * scale·(p − onehot) elementwise over [n, cols], with the target entry −scale·Σ_{j≠y} p_j (no
 * cancellation when p_y ≈ 1); rows labelled −1 give 0.
 */
export function crossEntropyBackward(
  this: KernelThis, a: Float32Array, labels: Float32Array, rowMax: Float32Array, rowTotal: Float32Array,
  rowOthers: Float32Array, cols: number, scale: number,
): number {
  let r = Math.floor(this.thread.x / cols); // corrected by one either way: see the file header
  if (r * cols > this.thread.x) { r = r - 1; }
  if (this.thread.x - r * cols >= cols) { r = r + 1; }
  const j = this.thread.x - r * cols;
  const y = labels[r];
  if (y < 0) {
    return 0;
  }
  if (j === y) {
    return (-scale * rowOthers[r]) / rowTotal[r];
  }
  return (scale * Math.exp(a[this.thread.x] - rowMax[r])) / rowTotal[r];
}

/**
 * C = op(A)·op(B), C of [n, m], flat. Element (i, p) of op(A) is a[i·sai + p·sap] and element
 * (p, j) of op(B) is b[p·sbp + j·sbj], so the four transpose variants are one kernel with
 * different strides and no transpose is ever materialised. The inner loop is unrolled by four
 * into independent accumulators: it measured about twice as fast as the plain loop in webasm
 * mode (fewer loop tests, four multiply-adds in flight), and on GPUs it is the usual register tile
 * along k. k4 = k − (k mod 4) comes from the host (a float division in the kernel may be an ulp
 * off on WebGPU).
 */
export function matmul(
  this: KernelThis,
  a: Float32Array,
  b: Float32Array,
  k: number,
  m: number,
  sai: number,
  sap: number,
  sbp: number,
  sbj: number,
  k4: number,
): number {
  let i = Math.floor(this.thread.x / m); // corrected by one either way: see the file header
  if (i * m > this.thread.x) { i = i - 1; }
  if (this.thread.x - i * m >= m) { i = i + 1; }
  const j = this.thread.x - i * m;
  const ai = i * sai;
  const bj = j * sbj;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let p = 0; p < k4; p += 4) {
    s0 += a[ai + p * sap] * b[p * sbp + bj];
    s1 += a[ai + (p + 1) * sap] * b[(p + 1) * sbp + bj];
    s2 += a[ai + (p + 2) * sap] * b[(p + 2) * sbp + bj];
    s3 += a[ai + (p + 3) * sap] * b[(p + 3) * sbp + bj];
  }
  // A distinct loop variable: gpu.js's cpu mode declares every loop variable once per function.
  // Counted from 0: a loop variable started from a float (k4) is an f32 in gpu.js's WGSL, which
  // has no ++ for f32 (see head-kernels.ts).
  for (let q = 0; q < k - k4; q++) {
    s0 += a[ai + (k4 + q) * sap] * b[(k4 + q) * sbp + bj];
  }
  return s0 + s1 + (s2 + s3);
}

/** The transpose of an [n, cols] matrix: output [cols, n]. */
export function transpose(this: KernelThis, a: Float32Array, n: number, cols: number): number {
  let r = Math.floor(this.thread.x / n); // corrected by one either way: see the file header
  if (r * n > this.thread.x) { r = r - 1; }
  if (this.thread.x - r * n >= n) { r = r + 1; }
  const c = this.thread.x - r * n;
  return a[c * cols + r];
}

/** out_i = a[i, index_i], 0 where index_i < 0. */
export function gatherColumns(this: KernelThis, a: Float32Array, index: Float32Array, cols: number): number {
  const j = index[this.thread.x];
  if (j < 0) {
    return 0;
  }
  return a[this.thread.x * cols + j];
}

/** a with a[r, index_r] replaced by values_r (index −1 matches no column). */
export function scatterColumns(
  this: KernelThis,
  a: Float32Array,
  index: Float32Array,
  values: Float32Array,
  cols: number,
): number {
  let r = Math.floor(this.thread.x / cols); // corrected by one either way: see the file header
  if (r * cols > this.thread.x) { r = r - 1; }
  if (this.thread.x - r * cols >= cols) { r = r + 1; }
  const c = this.thread.x - r * cols;
  if (index[r] === c) {
    return values[r];
  }
  return a[this.thread.x];
}

/** Rows of a [*, d] matrix picked by `index`: output [k, d]; index −1 gives a row of zeros. */
export function takeRows(this: KernelThis, a: Float32Array, index: Float32Array, d: number): number {
  let r = Math.floor(this.thread.x / d); // corrected by one either way: see the file header
  if (r * d > this.thread.x) { r = r - 1; }
  if (this.thread.x - r * d >= d) { r = r + 1; }
  const c = this.thread.x - r * d;
  if (index[r] < 0) {
    return 0;
  }
  return a[index[r] * d + c];
}

/**
 * The sum of the source rows that land on each output row, gather-style: `offsets`/`order` list,
 * for output row r, the source rows order[offsets[r] .. offsets[r+1]) (built on the host from the
 * index, which lives there anyway). Each thread adds only its own sources, so the work is
 * O(rows·d + k·d), not O(rows·k·d), and no two threads write one cell.
 */
export function scatterAddRows(
  this: KernelThis,
  src: Float32Array,
  offsets: Float32Array,
  order: Float32Array,
  d: number,
): number {
  let r = Math.floor(this.thread.x / d); // corrected by one either way: see the file header
  if (r * d > this.thread.x) { r = r - 1; }
  if (this.thread.x - r * d >= d) { r = r + 1; }
  const c = this.thread.x - r * d;
  const lo = offsets[r];
  const count = offsets[r + 1] - lo;
  let s = 0;
  // Counted from 0, not from lo: see the loop note in matmul.
  for (let p = 0; p < count; p++) {
    s += src[order[lo + p] * d + c];
  }
  return s;
}
