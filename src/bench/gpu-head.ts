/**
 * The GPU benchmark of issue 4: one forward + backward step of the margin head (normalize,
 * matmul, margin, cross-entropy and both gradients) at N = 512, d = 512, C = 100,000 in float32,
 * steady state, reported as milliseconds and as GFLOP/s = 6·N·d·C / time (the three N·d·C
 * products of forward, dX and dW, two flops each).
 *
 * Contestants, each checked against the float64 tape on a small problem before it is timed:
 *  - `gpu.js:webgpu`: the fused head (src/backend/gpujs/head.ts), class centers on the device,
 *    X uploaded every step, loss and dX read back, dW finite-checked on the device and kept there
 *    ("dW on device") or read back as well ("dW read back").
 *  - `tfjs-webgpu`: @tensorflow/tfjs-backend-webgpu on the same Dawn (`navigator.gpu` from the npm
 *    package `webgpu`), the head in tfjs ops with its backward written out (`tfjsStep`), loss and
 *    dX read back, dW reduced on the device so that its computation is waited for; `tfjs-cpu`
 *    runs the same formulation on tfjs's CPU backend (a check of it on machines without a GPU).
 *  - `gpu.js:webasm`, `gpu.js:cpu`: the same fused head in gpu.js's CPU modes (smaller sizes).
 *
 * Run after `npm run build`: `node bench/gpu-head.mjs [options]` (USAGE below lists them; `--shape
 * 64x128x1000` and `--warmup 1 --repeats 3` make a quick run). The results are printed; they are
 * written as JSON only when `--out` asks for it (a folder gets gpu-head-bench.json, a path ending in
 * .json is the file). A contestant that cannot run here is reported as skipped with the reason;
 * nothing is ever reported as a GPU result unless a WebGPU adapter ran it, and an adapter that is a
 * software implementation (SwiftShader, llvmpipe, lavapipe) is labelled as such in the output and
 * the JSON: its timings are CPU timings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { importExtra } from '../tensor/extras.js';
import { cpu } from '../backend/cpu.js';
import { GpujsMarginHead } from '../backend/gpujs/head.js';
import type { GpujsMode } from '../backend/gpujs/runtime.js';
import { SOFTWARE_RENDERER } from '../backend/gpujs/adapter-info.js';
import { probeWebGpu, type WebGpuProbe } from '../backend/gpujs/webgpu-probe.js';
import { headSpec, marginHeadStep } from '../losses/fused-head.js';
import type { MarginOptions } from '../losses/options.js';
import { OptionError } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';
import { parseHeadShape, type HeadArrays } from './problem.js';
import { relativeError } from '../check/tolerance.js';

/** Sizes and repeats of one benchmark run. */
export interface GpuHeadBenchOptions {
  /** Samples per step. */
  n: number;
  /** Feature dimension. */
  d: number;
  /** Classes. */
  c: number;
  /** Untimed steps first (compilation, allocation). */
  warmup: number;
  /** Timed steps; the median is reported. */
  repeats: number;
  /** Which contestants run, in order. */
  contestants: string[];
  /** Margin options of the head (ArcFace s = 64, m2 = 0.5 by default). */
  margin: MarginOptions;
  /**
   * Seconds each contestant may take, setup included; undefined: no limit. Its variants share what
   * is left after setup, and each stops taking steps once its share is spent (at least one warm-up
   * step, when any was asked for, and one timed step), so a slow device still gives a median.
   */
  budgetS?: number;
}

/** One contestant's outcome. */
export interface ContestantResult {
  /** The contestant. */
  name: string;
  /** 'ok', or why it did not run (`skipped: …`, `failed: …`). */
  status: string;
  /** What it ran on, as the runtime reports it. */
  device?: string;
  /** True when it ran on a software WebGPU adapter: its timings are CPU timings, not GPU timings. */
  software?: boolean;
  /** SOFTWARE_ADAPTER_NOTE when `software`. */
  note?: string;
  /** Normwise errors of loss, dX, dW against the float64 tape on the check problem. */
  check?: { n: number; d: number; c: number; loss: number; dX: number; dW: number };
  /** Timed variants: median and min milliseconds per step, GFLOP/s from the median, the loss. */
  timings?: { variant: string; medianMs: number; minMs: number; gflops: number; loss: number; times: number[]; warmupSteps: number }[];
}

const DEFAULTS: GpuHeadBenchOptions = {
  n: 512, d: 512, c: 100_000, warmup: 3, repeats: 10,
  contestants: ['gpu.js:webgpu', 'tfjs-webgpu'],
  margin: { s: 64, m2: 0.5 },
};

/** What the output and the JSON say next to every result of a software adapter. */
export const SOFTWARE_ADAPTER_NOTE = 'software adapter — timings are not GPU timings';

/**
 * Whether the probed WebGPU adapter is a software implementation running on the CPU: the probe's
 * `software` flag (WebGPU's fallback flag, or a name such as SwiftShader, llvmpipe, lavapipe), or
 * a name that SOFTWARE_RENDERER matches, so that a probe answer read back from an older JSON file
 * is labelled too.
 */
export function isSoftwareAdapter(probe: WebGpuProbe | { ok: true; adapter: string; software?: boolean }): boolean {
  return probe.ok && (probe.software === true || SOFTWARE_RENDERER.test(probe.adapter));
}

const softwareLabel = (software: boolean) => (software ? { software, note: SOFTWARE_ADAPTER_NOTE } : {});

/** The check problem's sizes: small enough for the float64 tape, ragged against every tile. */
const CHECK = { n: 37, d: 29, c: 1031 };

type Problem = HeadArrays;

function problem(n: number, d: number, c: number, seed: number): Problem {
  const rng = new Random(seed);
  return {
    n, d, c,
    x: Float32Array.from({ length: n * d }, () => rng.normal()),
    w: Float32Array.from({ length: c * d }, () => rng.normal()),
    labels: Int32Array.from({ length: n }, () => rng.int(c)),
  };
}

function checkAgainstTape(p: Problem, margin: MarginOptions, got: { loss: number; dX: ArrayLike<number>; dW: ArrayLike<number> }) {
  const ref = marginHeadStep(cpu.fromArray(p.x, [p.n, p.d], 'float64'), cpu.fromArray(p.w, [p.c, p.d], 'float64'), p.labels, margin);
  return {
    n: p.n, d: p.d, c: p.c,
    loss: relativeError(got.loss, ref.loss),
    dX: relativeError(got.dX, ref.dX.toTypedArray()),
    dW: relativeError(got.dW, ref.dW.toTypedArray()),
  };
}

/** Runs warm-up then timed steps, stopping early (after one of each) once `until` (performance.now()) is past. */
async function time(warmup: number, repeats: number, step: () => Promise<number>, until = Infinity) {
  let loss = NaN;
  let warmupSteps = 0;
  while (warmupSteps < warmup && (warmupSteps === 0 || performance.now() < until)) {
    loss = await step();
    warmupSteps++;
  }
  const times: number[] = [];
  while (times.length < repeats && (times.length === 0 || performance.now() < until)) {
    const t0 = performance.now();
    loss = await step();
    times.push(performance.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)], minMs: sorted[0], loss, times, warmupSteps };
}

/** The deadline of variant `i` of `count`: an equal share of what is left of the contestant's budget. */
function variantDeadline(deadline: number, i: number, count: number): number {
  const now = performance.now();
  return now + (deadline - now) / (count - i);
}

const gflops = (o: GpuHeadBenchOptions, ms: number) => (6 * o.n * o.d * o.c) / (ms * 1e6);

async function benchGpujs(mode: GpujsMode, o: GpuHeadBenchOptions): Promise<ContestantResult> {
  const name = `gpu.js:${mode}`;
  const deadline = performance.now() + (o.budgetS ?? Infinity) * 1000;
  let device = name;
  let software = false;
  if (mode === 'webgpu') {
    const probe = await probeWebGpu();
    if (!probe.ok) return { name, status: `skipped: ${probe.reason}` };
    device = probe.adapter;
    software = isSoftwareAdapter(probe);
  }
  const head = await GpujsMarginHead.create(mode);
  const spec = headSpec(o.margin);
  const small = problem(CHECK.n, CHECK.d, CHECK.c, 7);
  await head.setClassCenters(small.w, small.c, small.d);
  const got = await head.step(small.x, small.labels, spec, { readGradW: true });
  const check = checkAgainstTape(small, o.margin, { loss: got.loss, dX: got.dX, dW: got.dW! });

  const p = problem(o.n, o.d, o.c, 11);
  await head.setClassCenters(p.w, p.c, p.d);
  const timings = [];
  for (const readGradW of [false, true]) {
    const until = variantDeadline(deadline, timings.length, 2);
    const t = await time(o.warmup, o.repeats, async () => (await head.step(p.x, p.labels, spec, { readGradW })).loss, until);
    timings.push({ variant: readGradW ? 'dW read back' : 'dW on device', ...t, gflops: gflops(o, t.medianMs) });
  }
  head.destroy();
  return { name, status: 'ok', device, ...softwareLabel(software), check, timings };
}

type Tf = typeof import('@tensorflow/tfjs-core');
type TfTensor = import('@tensorflow/tfjs-core').Tensor;

/**
 * One step of the head in tfjs ops: the combined margin with fallback 'none', no filtering, λ = 0,
 * exact gradient, every row labelled. The backward is written out (one matmul forward, two
 * backward): tfjs-core's Node bundle registers the gradients of only a few kernels, so
 * tf.valueAndGrads fails there ("gradient function not found for Sum").
 */
function tfjsStep(tf: Tf, o: MarginOptions, x: TfTensor, w: TfTensor, labels: TfTensor, c: number): TfTensor[] {
  const { s, m1 = 1, m2 = 0, m3 = 0, eps = 1e-12 } = o;
  return tf.tidy(() => {
    const n = x.shape[0];
    const xr = tf.maximum(tf.norm(x, 'euclidean', 1, true), eps);
    const wr = tf.maximum(tf.norm(w, 'euclidean', 1, true), eps);
    const xh = tf.div(x, xr);
    const wh = tf.div(w, wr);
    const z = tf.matMul(xh, wh, false, true);
    const cos = tf.clipByValue(z, -1, 1);
    const onehot = tf.cast(tf.oneHot(labels, c), 'float32');
    const target = tf.sum(tf.mul(cos, onehot), 1, true);
    const theta = tf.acos(tf.clipByValue(target, -1 + 1e-7, 1 - 1e-7));
    const phi = tf.add(tf.mul(theta, m1), m2);
    const f = tf.sub(tf.cos(phi), m3);
    const logits = tf.mul(tf.add(cos, tf.mul(onehot, tf.sub(f, target))), s);
    const lse = tf.logSumExp(logits, 1, true);
    const loss = tf.mean(tf.sub(lse, tf.mul(f, s)));
    // ∂L/∂logits = (softmax − onehot)/N; the target column carries f′(c) = m1·sin φ / sin θ.
    const dlogits = tf.div(tf.sub(tf.exp(tf.sub(logits, lse)), onehot), n);
    const slope = tf.div(tf.mul(tf.sin(phi), m1), tf.sin(theta));
    const dcos = tf.mul(tf.mul(dlogits, s), tf.add(1, tf.mul(onehot, tf.sub(slope, 1))));
    const dz = tf.mul(dcos, tf.cast(tf.lessEqual(tf.abs(z), 1), 'float32'));
    const dxh = tf.matMul(dz, wh);
    const dwh = tf.matMul(dz, xh, true, false);
    const dx = tf.div(tf.sub(dxh, tf.mul(xh, tf.sum(tf.mul(xh, dxh), 1, true))), xr);
    const dw = tf.div(tf.sub(dwh, tf.mul(wh, tf.sum(tf.mul(wh, dwh), 1, true))), wr);
    return [loss, dx, dw];
  });
}

/** tfjs on `backend` ('webgpu': @tensorflow/tfjs-backend-webgpu on Dawn; 'cpu': a check of the formulation). */
async function benchTfjs(backend: 'webgpu' | 'cpu', o: GpuHeadBenchOptions): Promise<ContestantResult> {
  const name = `tfjs-${backend}`;
  const deadline = performance.now() + (o.budgetS ?? Infinity) * 1000;
  let device = 'CPU (tfjs-backend-cpu)';
  let software = false;
  if (backend === 'webgpu') {
    const probe = await probeWebGpu(); // installs navigator.gpu (Dawn) when there is an adapter
    if (!probe.ok) return { name, status: `skipped: ${probe.reason}` };
    device = probe.adapter;
    software = isSoftwareAdapter(probe);
  }
  const { fallback, lambda, interclassFilteringThreshold, gradient } = o.margin;
  if ((fallback ?? 'none') !== 'none' || (lambda ?? 0) !== 0 || (interclassFilteringThreshold ?? 0) !== 0 || (gradient ?? 'exact') !== 'exact') {
    return { name, status: 'skipped: the tfjs formulation covers fallback none, λ = 0, no filtering, exact gradients' };
  }
  const tf = await importExtra('tfjs', async () => {
    const core = await import('@tensorflow/tfjs-core');
    if (backend === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu'); // registers 'webgpu' where navigator.gpu exists
    else await import('@tensorflow/tfjs-backend-cpu');
    return core;
  });
  if (!(await tf.setBackend(backend))) return { name, status: `failed: tf.setBackend('${backend}') returned false` };
  await tf.ready();

  let w: TfTensor | undefined;
  const run = async (p: Problem, readDW: boolean) => {
    const x = tf.tensor2d(p.x, [p.n, p.d]);
    const labels = tf.tensor1d(p.labels, 'int32');
    const [loss, dx, dw] = tfjsStep(tf, o.margin, x, w!, labels, p.c);
    const dwSum = readDW ? undefined : tf.sum(dw); // waits for dW without reading it back
    const out = { loss: (await loss.data())[0], dX: await dx.data(), dW: readDW ? await dw.data() : (await dwSum!.data(), undefined) };
    tf.dispose([x, labels, loss, dx, dw, ...(dwSum ? [dwSum] : [])]);
    return out;
  };

  const small = problem(CHECK.n, CHECK.d, CHECK.c, 7);
  w = tf.tensor2d(small.w, [small.c, small.d]);
  const got = await run(small, true);
  const check = checkAgainstTape(small, o.margin, { loss: got.loss, dX: got.dX, dW: got.dW! });
  w.dispose();

  const p = problem(o.n, o.d, o.c, 11);
  w = tf.tensor2d(p.w, [p.c, p.d]);
  const timings = [];
  for (const readDW of [false, true]) {
    const until = variantDeadline(deadline, timings.length, 2);
    const t = await time(o.warmup, o.repeats, async () => (await run(p, readDW)).loss, until);
    timings.push({ variant: readDW ? 'dW read back' : 'dW on device', ...t, gflops: gflops(o, t.medianMs) });
  }
  w.dispose();
  return { name, status: 'ok', device: `${device} (tfjs ${tf.version_core}, backend ${tf.getBackend()})`, ...softwareLabel(software), check, timings };
}

/** Runs the contestants of `options` one after the other; failures are reported, not thrown. */
export async function benchGpuHead(options: Partial<GpuHeadBenchOptions> = {}): Promise<{ options: GpuHeadBenchOptions; results: ContestantResult[] }> {
  const o = { ...DEFAULTS, ...options };
  const results: ContestantResult[] = [];
  for (const name of o.contestants) {
    try {
      if (name === 'tfjs-webgpu' || name === 'tfjs-cpu') results.push(await benchTfjs(name === 'tfjs-webgpu' ? 'webgpu' : 'cpu', o));
      else if (name.startsWith('gpu.js:')) results.push(await benchGpujs(name.slice('gpu.js:'.length) as GpujsMode, o));
      else results.push({ name, status: 'skipped: unknown contestant' });
    } catch (e) {
      results.push({ name, status: `failed: ${(e as Error).message.split('\n')[0]}` });
    }
    const r = results[results.length - 1];
    console.log(describe(r, o));
  }
  return { options: o, results };
}

function describe(r: ContestantResult, o: GpuHeadBenchOptions): string {
  if (r.status !== 'ok') return `${r.name}: ${r.status}`;
  const check = r.check ? `check vs float64 tape at N=${r.check.n} d=${r.check.d} C=${r.check.c}: loss ${r.check.loss.toExponential(1)}, dX ${r.check.dX.toExponential(1)}, dW ${r.check.dW.toExponential(1)}` : '';
  const rows = (r.timings ?? []).map((t) => {
    const cut = t.times.length < o.repeats || t.warmupSteps < o.warmup ? ` — cut short by --budget: ${t.times.length} steps after ${t.warmupSteps} warm-up` : '';
    return `  ${t.variant.padEnd(13)} median ${t.medianMs.toFixed(2)} ms (min ${t.minMs.toFixed(2)}), ${t.gflops.toPrecision(3)} GFLOP/s, loss ${t.loss.toFixed(4)}${cut}`;
  });
  const device = r.software ? `${r.device} [${SOFTWARE_ADAPTER_NOTE}]` : r.device;
  return [`${r.name} on ${device} — N=${o.n} d=${o.d} C=${o.c}, ${o.repeats} steps after ${o.warmup} warm-up; ${check}`, ...rows].join('\n');
}

/** The command line's options, printed by `--help` and after a wrong option. */
export const USAGE = `usage: node bench/gpu-head.mjs [options]     (after npm run build)
  --shape NxDxC        problem size, e.g. 64x128x1000 (default ${DEFAULTS.n}x${DEFAULTS.d}x${DEFAULTS.c});
                       --N, --d, --C set one dimension each
  --warmup K           untimed steps first (default ${DEFAULTS.warmup})
  --repeats R          timed steps, median reported (default ${DEFAULTS.repeats})
  --contestants A,B    of gpu.js:webgpu, tfjs-webgpu, gpu.js:webasm, gpu.js:cpu, tfjs-cpu
                       (default ${DEFAULTS.contestants.join(',')})
  --budget S           seconds per contestant, setup included: its variants stop taking steps
                       when their share is spent (at least one of each kind; default: no limit)
  --out PATH           also write the results as JSON: PATH/gpu-head-bench.json, or PATH itself
                       when it ends in .json (folders are created); without --out nothing is written
exit status: 0 ran, 1 a contestant failed, 2 wrong option, 3 every contestant skipped`;

const FLAGS = ['--shape', '--N', '--d', '--C', '--warmup', '--repeats', '--budget', '--contestants', '--out'];

/**
 * Parses the command line of bench/gpu-head.mjs (see USAGE): the options and where the JSON goes
 * (`out` undefined: nowhere). Throws OptionError on an unknown flag, a missing value, or a size,
 * step count or budget that is not a positive integer (warm-up may be 0).
 */
export function parseGpuHeadArgs(argv: readonly string[]): { options: GpuHeadBenchOptions; out?: string } {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (!FLAGS.includes(flag)) throw new OptionError(`gpu-head: unknown option '${flag}'`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new OptionError(`gpu-head: ${flag} needs a value`);
    values.set(flag, value);
  }
  const int = (flag: string, fallback: number, min: number) => {
    const text = values.get(flag);
    if (text === undefined) return fallback;
    const v = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(v) || v < min) throw new OptionError(`gpu-head: ${flag} must be an integer ≥ ${min}, got '${text}'`);
    return v;
  };
  let [n, d, c] = [DEFAULTS.n, DEFAULTS.d, DEFAULTS.c];
  const shape = values.get('--shape');
  if (shape !== undefined) [n, d, c] = parseHeadShape(shape, 'gpu-head: --shape');
  const options: GpuHeadBenchOptions = {
    ...DEFAULTS,
    n: int('--N', n, 1), d: int('--d', d, 1), c: int('--C', c, 1),
    warmup: int('--warmup', DEFAULTS.warmup, 0), repeats: int('--repeats', DEFAULTS.repeats, 1),
    contestants: values.get('--contestants')?.split(',') ?? DEFAULTS.contestants,
  };
  if (values.has('--budget')) options.budgetS = int('--budget', 0, 1);
  const out = values.get('--out');
  return out === undefined ? { options } : { options, out };
}

/**
 * Command-line entry (see USAGE); returns the exit code: 0 when a contestant ran and none failed,
 * 1 when one failed, 2 on a wrong option, 3 when every contestant was skipped (nothing measured).
 */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let parsed: ReturnType<typeof parseGpuHeadArgs>;
  try {
    parsed = parseGpuHeadArgs(argv);
  } catch (e) {
    if (!(e instanceof OptionError)) throw e;
    console.error(`${e.message}\n${USAGE}`);
    return 2;
  }
  const { options, out } = parsed;
  const probe = await probeWebGpu();
  const software = isSoftwareAdapter(probe);
  const adapter = probe.ok ? `adapter ${probe.adapter}${software ? ` (${SOFTWARE_ADAPTER_NOTE})` : ''}` : `none (${probe.reason})`;
  console.log(`WebGPU: ${adapter}; node ${process.version}`);
  const report = await benchGpuHead(options);
  if (out === undefined) {
    console.log('results not written (add --out DIR to write gpu-head-bench.json)');
  } else {
    const file = out.endsWith('.json') ? out : join(out, 'gpu-head-bench.json');
    mkdirSync(dirname(file), { recursive: true });
    const kind = !probe.ok ? 'none' : software ? 'software' : 'hardware';
    const note = software ? { note: SOFTWARE_ADAPTER_NOTE } : {};
    writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), webgpu: probe, adapterKind: kind, ...note, ...report }, null, 1));
    console.log(`written ${file}`);
  }
  if (report.results.some((r) => r.status.startsWith('failed'))) return 1;
  return report.results.some((r) => r.status === 'ok') ? 0 : 3;
}
