/**
 * The Backend primitives under conformance, one check per primitive call: random inputs from
 * fast-check (dimensions up to `maxDim`, multiples of no tile, chunk or workgroup size), and the
 * call, made the same way on the float64 CPU reference and on the gpu.js backend under test.
 * test/backend/conformance.test.ts runs every check in every gpu.js mode it runs (cpu, webasm and,
 * where there is an adapter, webgpu). Each call returns what the primitive returns: a tensor,
 * host indices (argmaxRows) or a flag (allFinite).
 *
 * Preconditions, so that two correct float32/float64 implementations agree: divisors ≥ 0.25,
 * log and sqrt away from 0, acos' and the angular margin inside ±0.999 (their slopes ∝ 1/sin θ),
 * the angular margin 2e-3 away from the jumps of its 'thmm' and 'easy' policies, ties in the row
 * maxima only between exactly equal (integer) values.
 */
import fc from 'fast-check';
import type { Backend, BinaryFn, ScalarKernel, UnaryFn } from '../../../src/backend/backend.js';
import { BINARY_FNS, UNARY_FNS } from '../../../src/backend/gpujs/kernels.js';
import { angularMarginKernel, angularMarginSlopeKernel } from '../../../src/ops/angular-margin.js';
import { unitRoundoff } from '../../../src/tensor/dtype.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { repair, uniformIn } from '../../support/arbitraries.js';

/** What one primitive call returns: a tensor, host indices (argmaxRows) or a flag (allFinite). */
export type PrimitiveResult = Tensor | Int32Array | boolean;

/** One primitive call under test. */
export interface PrimitiveCheck {
  /** The test's title: the primitive and what the inputs exercise. */
  readonly title: string;
  /** Random inputs (an opaque sample handed back to `call`). */
  readonly sample: fc.Arbitrary<unknown>;
  /** The call on backend `b` (the reference holds float64, the backend under test float32). */
  readonly call: (b: Backend, sample: never) => PrimitiveResult;
  /** Relative tolerance (default 1e-4): |got − want| ≤ tol·(1 + |want| + scale). */
  readonly tol?: number;
  /** The magnitude of the terms summed into each result (a float32 sum of large terms loses their digits). */
  readonly scale?: (sample: never) => number;
  /** Runs per property, as a multiple of the suite's run count (default 1). */
  readonly runs?: number;
}

/** The ScalarKernels arcgrad gives `mapScalar` (the angular margin's value and slope). */
export const SCALAR_KERNELS: readonly ScalarKernel[] = [angularMarginKernel, angularMarginSlopeKernel];

/**
 * How far the angular margin's inputs keep from the cosines where its value or slope jumps
 * ('thmm' at cos(π − m2), 'easy' at 0): WGSL allows cos an absolute error of 2^-11 and acos more,
 * so a GPU may put the jump that far from where float64 puts it.
 */
const JUMP_GAP = 2e-3;

/** The cosines where fallback policy number `policy` (FALLBACK_POLICIES order) jumps. */
function marginJumps(m2: number, policy: number): number[] {
  if (policy === 1) return [Math.cos(Math.PI - m2)];
  if (policy === 2) return [0];
  return [];
}

/** The domain of each unary function's inputs. */
export const UNARY_DOMAINS: Record<UnaryFn, [number, number]> = {
  neg: [-2, 2], exp: [-2, 2], log: [0.1, 3], sqrt: [0.01, 3], square: [-2, 2], reciprocal: [0.2, 3],
  abs: [-2, 2], sign: [-2, 2], step: [-2, 2], floor: [-3, 3], cos: [-4, 4], sin: [-4, 4], acos: [-1, 1], relu: [-2, 2],
};

const BROADCASTS: [string, (n: number, c: number) => [number[], number[]]][] = [
  ['[n,c]∘[n,c]', (n, c) => [[n, c], [n, c]]],
  ['[n,c]∘[c]', (n, c) => [[n, c], [c]]],
  ['[n,c]∘[1,c]', (n, c) => [[n, c], [1, c]]],
  ['[n,c]∘[n,1]', (n, c) => [[n, c], [n, 1]]],
  ['[n,c]∘[]', (n, c) => [[n, c], []]],
  ['[c]∘[n,c]', (n, c) => [[c], [n, c]]],
  ['[n]∘[n]', (n) => [[n], [n]]],
];

/** Flat values and a shape. */
export interface Data {
  /** Row-major values. */
  readonly data: number[];
  /** The shape. */
  readonly shape: number[];
}

/** `size` numbers spread evenly over [lo, hi]. */
export const values = (size: number, lo = -2, hi = 2): fc.Arbitrary<number[]> =>
  fc.array(uniformIn(lo, hi), { minLength: size, maxLength: size });

/** The number of elements of a shape. */
export const sizeOfShape = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** `data` rounded to float32 on `b`: float64 on the CPU reference (same numbers), float32 elsewhere. */
export function put(b: Backend, { data, shape }: Data): Tensor {
  return b.fromArray(data.map(Math.fround), shape, b.name === 'cpu' ? 'float64' : 'float32');
}

/** Σ|v|: the scale of a sum of `data`. */
const l1 = ({ data }: Data) => data.reduce((s, v) => s + Math.abs(v), 0);

/** A check with its sample type spelled out (the table erases it). */
function check<S>(title: string, sample: fc.Arbitrary<S>, call: (b: Backend, s: S) => PrimitiveResult, more: { tol?: number; scale?: (s: S) => number; runs?: number } = {}): PrimitiveCheck {
  return { title, sample, call: call as PrimitiveCheck['call'], ...more } as PrimitiveCheck;
}

/** Every primitive check, with dimensions in [1, maxDim]. */
export function primitiveChecks(maxDim: number): PrimitiveCheck[] {
  const dim = fc.integer({ min: 1, max: maxDim });
  const matrix = (lo?: number, hi?: number): fc.Arbitrary<Data> =>
    fc.tuple(dim, dim).chain(([n, c]) => values(n * c, lo, hi).map((data) => ({ shape: [n, c], data })));
  /** A matrix with labels (or column indices) in [−1, c). */
  const labelled = (lo?: number, hi?: number) =>
    matrix(lo, hi).chain((m) =>
      fc.array(fc.integer({ min: -1, max: m.shape[1] - 1 }), { minLength: m.shape[0], maxLength: m.shape[0] }).map((l) => ({ ...m, index: Int32Array.from(l) })),
    );
  const mapScalar = (kernel: ScalarKernel, extra: (m1: number, m2: number, policy: number) => [number, number, number, number]) =>
    check(
      `mapScalar ${kernel.name} (every fallback policy, ${JUMP_GAP} from its jumps)`,
      fc
        .record({ x: matrix(-0.99, 0.99), m1: uniformIn(0.5, 2).map(Math.fround), m2: uniformIn(0, 0.8).map(Math.fround), policy: fc.integer({ min: 0, max: 4 }) })
        .map((s) => ({ ...s, x: { ...s.x, data: repair({ shape: s.x.shape, awayFrom: marginJumps(s.m2, s.policy), gap: JUMP_GAP }, s.x.shape, s.x.data) } })),
      (b, s) => b.mapScalar(put(b, s.x), kernel, extra(s.m1, s.m2, s.policy)),
      // float32 acos near ±1 moves θ by ~√u: a looser tolerance.
      { tol: 2e-3, scale: () => 2 },
    );
  const axis = (name: string, shape: (s: number[]) => number[]) => ({ name, shape });
  const targets = [
    axis('[]', () => []), axis('[c]', (s) => [s[1]]), axis('[1,c]', (s) => [1, s[1]]), axis('[n,1]', (s) => [s[0], 1]), axis('[1,1]', () => [1, 1]), axis('[n,c]', (s) => s),
  ];
  return [
    check('allFinite of finite values', matrix(), (b, s) => b.allFinite(put(b, s))),
    check(
      'allFinite sees NaN or ±Inf anywhere',
      fc.record({ m: matrix(), at: fc.nat(), bad: fc.constantFrom(NaN, Infinity, -Infinity) }),
      (b, { m, at, bad }) => b.allFinite(b.fromArray(m.data.map((v, i) => (i === at % m.data.length ? bad : v)), m.shape, b.name === 'cpu' ? 'float64' : 'float32')),
    ),
    ...UNARY_FNS.map((fn) => check(`unary ${fn}`, matrix(...UNARY_DOMAINS[fn]), (b, s) => b.unary(fn, put(b, s)))),
    ...BINARY_FNS.map((fn: BinaryFn) =>
      check(
        `binary ${fn} under every broadcast`,
        fc.tuple(dim, dim, fc.constantFrom(...BROADCASTS)).chain(([n, c, [, shapes]]) => {
          const [sa, sb] = shapes(n, c);
          // b positive: div stays away from 0.
          return fc.tuple(values(sizeOfShape(sa)).map((data) => ({ data, shape: sa })), values(sizeOfShape(sb), 0.25, 2).map((data) => ({ data, shape: sb })));
        }),
        (b, [x, y]) => b.binary(fn, put(b, x), put(b, y)),
        { runs: 2 },
      ),
    ),
    // Columns a multiple of 4 and sizes past 64: the wasm backend's SIMD row kernels (stride-0 rows, repeated columns).
    ...BINARY_FNS.map((fn: BinaryFn) =>
      check(
        `binary ${fn} under every broadcast, [n, 4k] columns`,
        fc.tuple(dim, fc.integer({ min: 1, max: Math.max(1, Math.floor(maxDim / 4)) }), fc.constantFrom(...BROADCASTS)).chain(([n, k, [, shapes]]) => {
          const [sa, sb] = shapes(Math.max(n, 16), 4 * k);
          return fc.tuple(values(sizeOfShape(sa)).map((data) => ({ data, shape: sa })), values(sizeOfShape(sb), 0.25, 2).map((data) => ({ data, shape: sb })));
        }),
        (b, [x, y]) => b.binary(fn, put(b, x), put(b, y)),
        { runs: 2 },
      ),
    ),
    check(
      'allFinite sees ±Inf in an op result (x / 0)',
      fc.record({ m: matrix(0.25, 2), at: fc.nat() }),
      (b, { m, at }) => b.allFinite(b.binary('div', put(b, m), put(b, { data: m.data.map((v, i) => (i === at % m.data.length ? 0 : v)), shape: m.shape }))),
    ),
    check('affine without shift', fc.record({ x: matrix(-1, 1), s: uniformIn(-3, 3) }), (b, { x, s }) => b.affine(put(b, x), s, 0)),
    check('between with bounds between two float32', fc.record({ x: matrix(-1, 1), t: uniformIn(-1, 0.2) }), (b, { x, t }) => b.between(put(b, x), t, 0.5 + t / 3)),
    check('affine', fc.record({ x: matrix(-1, 1), s: uniformIn(-3, 3), t: uniformIn(-1, 1) }), (b, { x, s, t }) => b.affine(put(b, x), Math.fround(s), Math.fround(t))),
    check(
      'axpby (the optimizers\' fused update)',
      matrix(-1, 1).chain((x) => fc.record({ x: fc.constant(x), y: values(x.data.length, -1, 1).map((data) => ({ data, shape: x.shape })), a: uniformIn(-3, 3), c: uniformIn(-3, 3) })),
      (b, { x, y, a, c }) => b.axpby(put(b, x), a, put(b, y), c),
    ),
    check('clamp', fc.record({ x: matrix(-1, 1), t: uniformIn(-1, 1) }), (b, { x, t }) => b.clamp(put(b, x), Math.fround(Math.min(t, 0.2)), 0.5)),
    check('between', fc.record({ x: matrix(-1, 1), t: uniformIn(-1, 1) }), (b, { x, t }) => b.between(put(b, x), Math.fround(Math.min(t, 0.2)), 0.5)),
    check('where', matrix(-1, 1), (b, x) =>
      b.where(put(b, { data: x.data.map((v) => (v > 0 ? 1 : 0)), shape: x.shape }), put(b, x), put(b, { data: x.data.map((v) => 3 * v), shape: x.shape })),
    ),
    check('acosDerivative inside ±0.999', matrix(-0.999, 0.999), (b, x) => b.acosDerivative(put(b, x)), { tol: 1e-3 }),
    mapScalar(angularMarginKernel, (m1, m2, policy) => [m1, m2, 0.1, policy]),
    mapScalar(angularMarginSlopeKernel, (m1, m2, policy) => [m1, m2, policy, unitRoundoff('float32')]),
    check('sum of all elements (two chunked passes)', matrix(), (b, x) => b.sum(put(b, x)), { scale: l1 }),
    check('sum over axis 0', matrix(), (b, x) => b.sum(put(b, x), 0), { scale: l1 }),
    check('sum over axis 1', matrix(), (b, x) => b.sum(put(b, x), 1), { scale: l1 }),
    check(
      'sumToShape [], [c], [1,c], [n,1], [1,1], [n,c]',
      fc.record({ x: matrix(), target: fc.constantFrom(...targets) }),
      (b, { x, target }) => b.sumToShape(put(b, x), target.shape(x.shape)),
      { scale: ({ x }) => l1(x), runs: 2 },
    ),
    ...(['maxRows', 'argmaxRows', 'logSumExpRows'] as const).map((op) =>
      check(
        `${op} (rows with ties and large values)`,
        fc.tuple(matrix(-3, 3), fc.boolean()),
        // Ties, and exp(90) overflows unless stabilised.
        (b, [x, big]) => b[op](put(b, { data: x.data.map((v) => Math.round(v) * (big ? 30 : 1)), shape: x.shape })),
      ),
    ),
    check(
      'crossEntropyRows (rows labelled −1, dominant targets)',
      fc.tuple(labelled(-3, 3), fc.boolean()),
      (b, [z, big]) => b.crossEntropyRows(put(b, { data: z.data.map((v) => v * (big ? 10 : 1)), shape: z.shape }), z.index),
    ),
    check(
      'crossEntropyBackward (rows labelled −1, dominant targets)',
      fc.tuple(labelled(-3, 3), fc.boolean(), uniformIn(0.1, 2)),
      (b, [z, big, scale]) => b.crossEntropyBackward(put(b, { data: z.data.map((v) => v * (big ? 10 : 1)), shape: z.shape }), z.index, Math.fround(scale)),
    ),
    check(
      'matmul in all four transpose variants',
      fc.tuple(dim, dim, fc.integer({ min: 1, max: 2 * maxDim - 3 }), fc.boolean(), fc.boolean()).chain(([n, m, k, tA, tB]) =>
        fc.record({
          a: values(n * k).map((data) => ({ data, shape: tA ? [k, n] : [n, k] })),
          b: values(k * m).map((data) => ({ data, shape: tB ? [m, k] : [k, m] })),
          k: fc.constant(k), tA: fc.constant(tA), tB: fc.constant(tB),
        }),
      ),
      (b, s) => b.matmul(put(b, s.a), put(b, s.b), s.tA, s.tB),
      { scale: ({ k }) => 4 * k, runs: 2 },
    ),
    check('transpose', matrix(), (b, x) => b.transpose(put(b, x))),
    check('gatherColumns (with −1 rows)', labelled(), (b, x) => b.gatherColumns(put(b, x), x.index)),
    check('scatterColumns (with −1 rows)', labelled(), (b, x) =>
      b.scatterColumns(put(b, x), x.index, put(b, { data: x.data.slice(0, x.shape[0]).map((v) => v + 10), shape: [x.shape[0]] })),
    ),
    ...(['takeRows', 'scatterAddRows'] as const).map((op) =>
      check(
        `${op} (with repeats, and −1: a zero row / a dropped row)`,
        matrix().chain((x) =>
          fc.record({
            x: fc.constant(x),
            rows: fc.array(fc.integer({ min: -1, max: x.shape[0] - 1 }), { minLength: 1, maxLength: 9 }),
            k: fc.integer({ min: 1, max: 7 }),
          }),
        ),
        (b, { x, rows, k }) => {
          const picked = b.takeRows(put(b, x), Int32Array.from(rows));
          // scatter back with every third row dropped (−1), the rest folded onto k rows
          return op === 'takeRows' ? picked : b.scatterAddRows(picked, Int32Array.from(rows.map((r, i) => (i % 3 === 2 ? -1 : Math.abs(r) % k))), k);
        },
        { scale: () => 20 },
      ),
    ),
  ];
}
