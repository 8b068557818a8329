/**
 * How many cases each fast-check property draws: the suite's one runs constant. PROPERTY_RUNS
 * (ARCGRAD_PROPERTY_RUNS, default 30) is the count at weight 1; a property that is much slower or
 * much cheaper than the rest takes a weight from RUN_WEIGHTS, written here so that the whole
 * suite's budget is read in one place. `npm run test:soak` multiplies everything by 20 through
 * ARCGRAD_PROPERTY_RUNS. No other file reads these variables (eslint.config.js enforces it).
 */

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

/** Runs of a property at weight 1 (ARCGRAD_PROPERTY_RUNS, default 30). */
export const PROPERTY_RUNS = positiveInteger('ARCGRAD_PROPERTY_RUNS', process.env.ARCGRAD_PROPERTY_RUNS, 30);

/**
 * Per-file weights, relative to PROPERTY_RUNS (the default run counts each file had before the
 * constant, kept so that the suite's time did not move).
 */
export const RUN_WEIGHTS = {
  /** Every op on every backend, checked against the CPU reference (8 runs by default: slow devices). */
  backendConformance: 8 / 30,
  /** The fused heads on gpu.js against the float64 tape (8 runs: each case compiles kernels). */
  fusedHead: 8 / 30,
  /** Randomized op expressions (15: each builds and differentiates a whole graph). */
  opsFuzz: 0.5,
  /** Loss fuzzing (60: cheap small heads). */
  lossFuzz: 2,
  /** The optimizers' all-or-nothing update (40). */
  optimAtomic: 4 / 3,
  /** Device faults injected into the fake GPU (20). */
  faults: 2 / 3,
  /** float32 against float64 precision cells (25). */
  precision: 5 / 6,
  /** `arcgrad check` on random case files (25). */
  checkFuzz: 5 / 6,
  /** Command-line argument fuzzing (40). */
  argsFuzz: 4 / 3,
  /** Damaged training runs resumed from disk (12: each writes files). */
  damagedRuns: 0.4,
  /** Verification metrics (100: pure arithmetic on small arrays). */
  verification: 10 / 3,
  /** Playground sliders (20). */
  sliders: 2 / 3,
  /** Bad-input properties: one per op and bad input (5 each: hundreds of them). */
  badInput: 1 / 6,
  /** A bad input's dtype mix, one property per op and input (2). */
  badInputDType: 1 / 15,
  /** Op invariants (25). */
  opInvariants: 5 / 6,
  /** Each op in float32 against float64 (10). */
  opFloat32: 1 / 3,
  /** Every op's gradients have their inputs' shapes (10). */
  gradientShapes: 1 / 3,
  /** The fast kernels' rowMax and rowExp against their scalar definition (300: cheap). */
  fastKernelRows: 10,
  /** The CPU matmul bit for bit against the triple loop (150: small matrices). */
  cpuMatmulBits: 5,
  /** The fast head on the CPU against the tape (300: every option and chunking). */
  fastHeadCpu: 10,
  /** PartialFC's sampling (90). */
  partialFcSampling: 3,
  /** The margin head against the loop reference (120). */
  marginHeadReference: 4,
  /** The kernels' portable acos, cos and sin against Math's (100, fast-check's own default). */
  portableMath: 10 / 3,
} as const;

/** The runs of a property of the given weight (at least 1). */
export function runs(weight = 1): number {
  return Math.max(1, Math.round(PROPERTY_RUNS * weight));
}

/**
 * Runs of the backend conformance properties: ARCGRAD_CONFORMANCE_RUNS when given (the benchmark
 * page's long device runs), else runs(RUN_WEIGHTS.backendConformance).
 */
export const CONFORMANCE_RUNS = positiveInteger('ARCGRAD_CONFORMANCE_RUNS', process.env.ARCGRAD_CONFORMANCE_RUNS, runs(RUN_WEIGHTS.backendConformance));

/** The run-count variables this process was given, as `NAME=value` words (for a reproduce line). */
export const RUNS_ENV: readonly string[] = (['ARCGRAD_PROPERTY_RUNS', 'ARCGRAD_CONFORMANCE_RUNS'] as const)
  .filter((name) => process.env[name] !== undefined && process.env[name] !== '')
  .map((name) => `${name}=${process.env[name]}`);
