/**
 * The fused margin head on gpu.js: loss, ∂L/∂X and ∂L/∂W of one step (src/backend/head.ts says
 * what is computed) from the kernels of head-kernels.ts, run in the order of head-plan.ts.
 *
 * Two drivers run the one plan:
 *  - `run` is synchronous, for gpu.js's cpu, webasm and GL modes: it is what the synchronous
 *    Backend interface offers (`GpujsBackend.fusedMarginHead`), uploading X and W each call.
 *  - `setClassCenters` + `step` are asynchronous and keep W on the device between steps. They are
 *    the WebGPU route: gpu.js webgpu kernels return Promises (device creation, shader compilation
 *    and every read-back are asynchronous in WebGPU), so the step is awaited, not bridged. They
 *    run in every mode, so the asynchronous driver is tested in cpu and webasm modes too.
 *
 * Every step reads back one small packed array — dX, the per-row losses and a flag word computed
 * on the device — and dW only when asked; a flag that is not "all finite" throws a DomainError
 * and nothing is returned, so a NaN or an overflow never escapes as a number.
 */
import { BackendUnavailableError, DomainError, LabelError, ShapeError } from '../../tensor/errors.js';
import type { AsyncMarginHead, HeadArrays, HeadSpec, HeadStepOptions } from '../head.js';

export type { HeadArrays, HeadStepOptions } from '../head.js';
import { KernelError } from './errors.js';
import { checkHeadDims, headStepPlan, nonFinite, unpack, uploadPlan, type HeadDims, type Plan, type StepOutcome } from './head-plan.js';
import { GpujsRuntime, gpujs, type GpujsMode } from './runtime.js';
import { adapterLine } from './adapter-info.js';
import { probeWebGpu } from './webgpu-probe.js';

interface Released {
  delete?(): void;
}

/** Device results that are neither host arrays nor arrays of host rows get released. */
function release(outputs: readonly unknown[], keep: readonly unknown[]): void {
  for (const out of outputs) {
    if (out instanceof Float32Array || Array.isArray(out) || keep.includes(out)) continue;
    (out as Released | null)?.delete?.();
  }
}

/** One flat Float32Array from what gpu.js returns or reads back (flat, rows, nested rows). */
function flatten(value: unknown): Float32Array {
  if (value instanceof Float32Array) return value;
  if (Array.isArray(value)) {
    const rows = value.map(flatten);
    const out = new Float32Array(rows.reduce((sum, r) => sum + r.length, 0));
    let at = 0;
    for (const r of rows) {
      out.set(r, at);
      at += r.length;
    }
    return out;
  }
  if (ArrayBuffer.isView(value)) return Float32Array.from(value as unknown as ArrayLike<number>);
  const host = (value as { toArray?(): unknown })?.toArray?.();
  if (host === undefined || host instanceof Promise) {
    throw new TypeError('gpu.js returned something that cannot be read synchronously');
  }
  return flatten(host);
}

/** The fused head on one gpu.js runtime (one mode). */
export class GpujsMarginHead implements AsyncMarginHead {
  private classCenters: { w: unknown; c: number; d: number } | undefined;
  private lastGradW: unknown;
  private busy = false;

  /**
   * A head on an existing gpu.js runtime (the backend's); use `GpujsMarginHead.create(mode)`.
   * @hidden
   */
  constructor(
    private readonly rt: GpujsRuntime,
    /** What runs the kernels, in words: the WebGPU adapter (marked when it is software), else the gpu.js mode. */
    readonly device: string = `gpu.js ${rt.mode} mode`,
  ) {}

  /**
   * A head in gpu.js mode `mode`. For 'webgpu' it first asks for a WebGPU adapter (npm package
   * `webgpu`, Dawn) and throws a BackendUnavailableError saying why when there is none: never a
   * CPU run under the webgpu name.
   */
  static async create(mode: GpujsMode): Promise<GpujsMarginHead> {
    if (mode === 'webgpu') {
      const probe = await probeWebGpu();
      if (!probe.ok) throw new BackendUnavailableError(`gpu.js:webgpu margin head: ${probe.reason}`);
      return new GpujsMarginHead(new GpujsRuntime(mode), `WebGPU adapter ${adapterLine(probe)}`);
    }
    return new GpujsMarginHead(new GpujsRuntime(mode));
  }

  /** `gpu.js:<mode>`: what runs. */
  get name(): string {
    return `gpu.js:${this.rt.mode}`;
  }

  /** Whether the webgpu mode's asynchronous kernels run (then only the async methods work). */
  get isAsync(): boolean {
    return this.rt.isAsync;
  }

  // ─── synchronous driver ──────────────────────────────────────────────────────────────────

  /**
   * One step with X (N×d) and W (C×d) uploaded for this call, dW read back. Synchronous modes
   * only (cpu, webasm, GL); webgpu throws a KernelError pointing to `step`.
   */
  run(x: ArrayLike<number>, w: ArrayLike<number>, labels: Int32Array, dims: HeadDims, spec: HeadSpec): Required<HeadArrays> {
    if (this.isAsync) throw new KernelError(`${this.name} margin head: webgpu kernels are asynchronous; use setClassCenters and step`);
    const { labelsF32, invV } = this.checkStep('run', x, labels, dims, spec);
    this.checkClassCenters('run', w, dims);
    const self = this;
    const result = this.drive(function* (): Plan<StepOutcome> {
      const xd = yield* uploadPlan('X', self.input(x, dims.n, dims.d), dims.n, dims.d);
      const wd = yield* uploadPlan('Wcall', self.input(w, dims.c, dims.d), dims.c, dims.d);
      return yield* headStepPlan(xd, wd, labelsF32, invV, dims, spec, true);
    });
    return this.finish(result, labels, invV, dims) as Required<HeadArrays>;
  }

  private drive(plan: () => Plan<StepOutcome>): StepOutcome {
    const outputs: unknown[] = [];
    const gen = plan();
    try {
      let next = gen.next();
      while (!next.done) {
        const step = next.value;
        let sent: unknown;
        if (step.kind === 'launch') {
          sent = this.rt.launch(step.name, step.source, step.output, step.args, { functions: step.functions });
          outputs.push(sent);
        } else {
          sent = flatten(step.array);
        }
        next = gen.next(sent);
      }
      return next.value;
    } finally {
      release(outputs, []);
    }
  }

  // ─── asynchronous driver, class centers on the device ─────────────────────────────────────

  /** Uploads the class centers W (C×d); they stay on the device for every `step` until replaced. */
  async setClassCenters(w: ArrayLike<number>, c: number, d: number): Promise<void> {
    this.checkClassCenters('setClassCenters', w, { n: 1, d, c });
    const previous = this.classCenters;
    this.classCenters = undefined;
    if (previous !== undefined) release([previous.w], []);
    const device = await this.driveAsync(uploadPlan('W', this.input(w, c, d), c, d), true);
    this.classCenters = { w: device, c, d };
  }

  /**
   * One step on the class centers of `setClassCenters`: X (N×d) is uploaded, the loss and dX are
   * read back, dW only with `readGradW` (otherwise it stays on the device until the next step).
   */
  async step(x: ArrayLike<number>, labels: Int32Array, spec: HeadSpec, options: HeadStepOptions = {}): Promise<HeadArrays> {
    const centers = this.classCenters;
    if (centers === undefined) throw new ShapeError(`${this.name} margin head: call setClassCenters before step`);
    const dims = { n: labels.length, d: centers.d, c: centers.c };
    const { labelsF32, invV } = this.checkStep('step', x, labels, dims, spec);
    const self = this;
    function* plan(): Plan<StepOutcome> {
      const xd = yield* uploadPlan('X', self.input(x, dims.n, dims.d), dims.n, dims.d);
      return yield* headStepPlan(xd, centers!.w, labelsF32, invV, dims, spec, options.readGradW === true);
    }
    if (this.lastGradW !== undefined) release([this.lastGradW], []);
    this.lastGradW = undefined;
    const outcome = await this.driveAsync(plan(), false);
    this.lastGradW = outcome.dW;
    return this.finish(outcome, labels, invV, dims);
  }

  /**
   * Runs a plan awaiting every launch and read. Webgpu kernels reuse one output buffer per
   * kernel between steps (immutable: false), which is safe because every launch of a step has
   * its own kernel name and a step's results are dead (released) before the next step runs;
   * `keepResult` keeps what the plan returns (the class centers), `StepOutcome.dW` is kept too.
   */
  private async driveAsync<R>(gen: Plan<R>, keepResult: boolean): Promise<R> {
    if (this.busy) throw new ShapeError(`${this.name} margin head: one step at a time (await the previous call first)`);
    this.busy = true;
    const outputs: unknown[] = [];
    const immutable = this.rt.mode === 'webgpu' ? false : undefined;
    let result: R | undefined;
    try {
      let next = gen.next();
      while (!next.done) {
        const step = next.value;
        let sent: unknown;
        if (step.kind === 'launch') {
          sent = await this.rt.launchAsync(step.name, step.source, step.output, step.args, { functions: step.functions, immutable });
          outputs.push(sent);
        } else {
          const host = (step.array as { toArray?(): unknown })?.toArray?.();
          sent = flatten(host instanceof Promise ? await host : (host ?? step.array));
        }
        next = gen.next(sent);
      }
      result = next.value;
      return result;
    } finally {
      const keep: unknown[] = [];
      if (result !== undefined) keep.push(keepResult ? result : (result as unknown as StepOutcome).dW);
      release(outputs, keep);
      this.busy = false;
    }
  }

  // ─── shared checks and unpacking ──────────────────────────────────────────────────────────

  private input(data: ArrayLike<number>, rows: number, cols: number): unknown {
    const { Input } = gpujs();
    return new Input(Float32Array.from(data) as unknown as number[], [cols, rows]);
  }

  private checkStep(where: string, x: ArrayLike<number>, labels: Int32Array, dims: HeadDims, spec: HeadSpec) {
    const at = `${this.name} margin head ${where}`;
    checkHeadDims(at, dims);
    if (x.length !== dims.n * dims.d) throw new ShapeError(`${at}: X has ${x.length} numbers, not N·d = ${dims.n}·${dims.d}`);
    if (labels.length !== dims.n) throw new ShapeError(`${at}: ${labels.length} labels for N = ${dims.n} rows`);
    if (!(spec.s > 0) || !(spec.eps > 0) || !(spec.lambda >= 0)) {
      throw new DomainError(`${at}: needs s > 0, eps > 0 and lambda ≥ 0 (got s = ${spec.s}, eps = ${spec.eps}, lambda = ${spec.lambda})`);
    }
    let kept = 0;
    for (const y of labels) {
      if (!(Number.isInteger(y) && y >= -1 && y < dims.c)) throw new LabelError(`${at}: label ${y} is outside [−1, ${dims.c})`);
      if (y !== -1) kept++;
    }
    assertFinite(at, 'X', x);
    return { labelsF32: Float32Array.from(labels), invV: kept === 0 ? 0 : 1 / kept };
  }

  private checkClassCenters(where: string, w: ArrayLike<number>, dims: HeadDims): void {
    const at = `${this.name} margin head ${where}`;
    checkHeadDims(at, dims);
    if (w.length !== dims.c * dims.d) throw new ShapeError(`${at}: W has ${w.length} numbers, not C·d = ${dims.c}·${dims.d}`);
    assertFinite(at, 'W', w);
  }

  private finish(outcome: StepOutcome, labels: Int32Array, invV: number, dims: HeadDims): HeadArrays {
    const { dX, lossRows, flags } = unpack(outcome.packed, dims);
    const bad = nonFinite(flags);
    if (bad !== null) {
      throw new DomainError(`${this.name} margin head: ${bad} not finite (checked on the device); no result is returned`);
    }
    let sum = 0;
    labels.forEach((y, i) => {
      if (y !== -1) sum += lossRows[i];
    });
    return { loss: sum * invV, lossRows, dX, ...(outcome.dWHost ? { dW: outcome.dWHost } : {}) };
  }

  /** Releases the kernels, the class centers and the gpu.js context of this head's runtime. */
  destroy(): void {
    release([this.classCenters?.w, this.lastGradW], []);
    this.classCenters = undefined;
    this.lastGradW = undefined;
    this.rt.destroy();
  }
}

function assertFinite(at: string, what: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new DomainError(`${at}: ${what}[${i}] is ${values[i]}; inputs must be finite`);
  }
}
