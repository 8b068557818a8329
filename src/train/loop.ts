/**
 * `train`: the generic, deterministic training loop of a backbone and a margin head.
 *
 * Every source of randomness derives from `seed`: the backbone's initial parameters come from
 * `new Random(seed)`, and epoch e's shuffle from its own generator `new Random(epochSeed(seed, e))`.
 * The position of the random streams is therefore just (seed, epoch, batch), which is what a
 * checkpoint records as its RNG state, and resuming re-creates the epoch's permutation and skips
 * the batches already done. With the parameters, buffers and optimizer state restored bit for
 * bit, a resumed run performs exactly the floating-point operations of an uninterrupted one and
 * ends at bit-identical parameters (test/train/loop.test.ts).
 *
 * One step: gather the batch, run the backbone in training mode and the head loss under
 * `valueAndGrad` with respect to all parameters, then one optimizer step with the schedule's
 * learning rate. The batch-norm buffers are committed only after the optimizer step succeeds, so
 * a step that throws (non-finite gradient) leaves the model as it was before it.
 *
 * A head loss with running state of its own (a defined margin's CurricularFace t, AdaFace's norm
 * statistics) passes `headState`: the loop snapshots it before each step and restores it when
 * the step throws (the forward pass has already updated it), writes it into every checkpoint and
 * restores it on resume, so that these guarantees hold for such heads too.
 */
import { takeRows } from '../ops/take-rows.js';
import type { Module } from '../nn/module.js';
import { scope, unscope, valueAndGradParams, type Params, type State } from '../nn/params.js';
import type { Optimizer, OptState } from '../optim/optimizer.js';
import { constantSchedule, type Schedule } from '../optim/schedule.js';
import { tensor } from '../tensor/create.js';
import { LabelError, OptionError, ShapeError, formatShape } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import type { Backend } from '../backend/backend.js';
import type { DType } from '../tensor/dtype.js';
import { CheckpointError, loadCheckpoint, saveCheckpoint, type Checkpoint, type JsonValue } from './checkpoint.js';
import { identityBatchOrder, identityBatchesPerEpoch, type IdentityBatches } from './identity-batches.js';

/**
 * A margin head's loss: embeddings [N, d], the head's parameters (e.g. `{ w }` [C, d]) and one
 * label per row → the scalar mean loss. The losses in src/losses have this shape.
 */
export type HeadLoss = (embeddings: Tensor, head: Params, labels: ArrayLike<number>) => Tensor;

/** What `onProgress` receives after every step. */
export interface Progress {
  /** Current epoch, from 0. */
  epoch: number;
  /** Number of epochs. */
  epochs: number;
  /** Batch within the epoch, from 0. */
  batch: number;
  /** Batches per epoch. */
  batchesPerEpoch: number;
  /** Optimizer steps taken so far (including this one). */
  step: number;
  /** Steps of the whole run. */
  totalSteps: number;
  /** This batch's loss. */
  loss: number;
  /** The learning rate this step used. */
  lr: number;
}

/** Access to a head loss's own running state (plain JSON), for checkpoints and failed steps. */
export interface HeadStateAccess {
  /** A deep copy of the state. */
  save(): JsonValue;
  /** Replaces the state with a copy of `saved`. */
  load(saved: JsonValue): void;
}

/** Periodic checkpointing. */
export interface CheckpointOptions {
  /** File to write (atomically replaced each time). */
  path: string;
  /** Write every this many steps (default: once per epoch); the final state is always written. */
  every?: number;
}

/** A training set: rows and their class labels. */
export interface TrainData {
  /** Rows [N, in]: a tensor or nested arrays. */
  x: Tensor | readonly (readonly number[])[];
  /** One integer class label per row. */
  labels: ArrayLike<number>;
}

/** Options of `train`. */
export interface TrainOptions {
  /** The backbone; its params are initialized from `seed` (unless resuming). */
  backbone: Module;
  /** The head's initial parameters, passed to `headLoss` (e.g. `{ w: normal(0.01)([C, d], rng) }`). */
  head: Params;
  /** The loss of the embeddings under the head. */
  headLoss: HeadLoss;
  /** The head loss's own running state, if it has one (see the file header). */
  headState?: HeadStateAccess;
  /** The training set. */
  data: TrainData;
  /** Passes over the data. */
  epochs: number;
  /** Rows per step. */
  batchSize: number;
  /** Drop the last, short batch of an epoch (default true: batch norm needs ≥ 2 rows, and face training does so). */
  dropLast?: boolean;
  /**
   * P×K batches instead of a plain shuffle: P identities × K images each (a triplet loss needs
   * them; src/train/identity-batches.ts says what is repeated and dropped). `batchSize` must be P·K.
   */
  identityBatches?: IdentityBatches;
  /** The optimizer. */
  optimizer: Optimizer;
  /** Learning rate per step (default the optimizer's constant lr). */
  schedule?: Schedule;
  /** The seed of initialization and shuffling. */
  seed: number;
  /** Called after every step. Throwing from it stops training (after any checkpoint due). */
  onProgress?: (p: Progress) => void;
  /** Write checkpoints. */
  checkpoint?: CheckpointOptions;
  /** Continue from a checkpoint (a path or a loaded one) written by `train` with the same options. */
  resume?: string | Checkpoint;
  /**
   * What this run trains, as plain data (the loss, the data split, the model…), stored in the
   * checkpoint's `config.run`: resuming from a checkpoint whose `run` differs is refused, so a
   * checkpoint copied from another run of the same shapes cannot be continued by mistake.
   * (A checkpoint without it, from before it was recorded, is accepted.)
   */
  run?: JsonValue;
  /**
   * Where the steps compute: a backend (e.g. `defaultBackend()`'s, src/backend/select.ts). The
   * data, the initial parameters and the optimizer state are moved onto it, in `dtype`; the
   * caller's side — checkpoints, the returned parameters — stays on the data's backend and dtype
   * (a float32 value is exact in float64, so a resumed run is still bit-identical). Default: the
   * data's backend. A run records the backend and dtype and resumes only on the same.
   */
  backend?: Backend;
  /** The dtype on `backend` (default: the data's dtype on the data's backend, else float32). */
  dtype?: DType;
}

/** What `train` returns. */
export interface TrainResult {
  /** The backbone's parameters. */
  backbone: Params;
  /** The head's parameters. */
  head: Params;
  /** The backbone's buffers (running statistics). */
  state: State;
  /** The optimizer's state. */
  optState: OptState;
  /** Steps taken in total (including those before a resume). */
  step: number;
  /** The loss of every step this call ran. */
  losses: number[];
}

/** The seed of epoch `epoch`'s shuffle: a multiplicative hash, so neighbouring epochs differ. */
export function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed >>> 0, 0x85ebca6b) ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0;
}

function positiveInteger(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new OptionError(`train: ${name} must be an integer ≥ 1, got ${String(v)}`);
  return v;
}

/** The run's configuration; all of it but `epochs` must match to resume (see checkResumable). */
function runConfig(o: TrainOptions, rows: number): { [key: string]: JsonValue } {
  return {
    seed: o.seed,
    epochs: o.epochs,
    batchSize: o.batchSize,
    dropLast: o.dropLast ?? true,
    rows,
    ...(o.identityBatches === undefined ? {} : { identityBatches: { identities: o.identityBatches.identities, imagesPerIdentity: o.identityBatches.imagesPerIdentity } }),
    optimizer: { name: o.optimizer.name, ...o.optimizer.config },
    ...(o.run === undefined ? {} : { run: o.run }),
    ...(o.backend === undefined ? {} : { compute: { backend: o.backend.name, dtype: computeDType(o) } }),
  };
}

/** The dtype the steps compute in (see TrainOptions.dtype). */
function computeDType(o: TrainOptions): DType {
  const x = o.data.x instanceof Tensor ? o.data.x : undefined;
  const home = x?.dtype ?? 'float64';
  return o.dtype ?? (o.backend === undefined || o.backend === x?.backend ? home : 'float32');
}

/** `record` with every tensor moved onto `backend` in `dtype` (tensors already there are kept). */
function moveAll<R extends Readonly<Record<string, Tensor>>>(record: R, backend: Backend, dtype: DType): R {
  const move = (t: Tensor) => (t.backend === backend && t.dtype === dtype ? t : backend.fromArray(t.toTypedArray(), t.shape, dtype));
  return Object.fromEntries(Object.entries(record).map(([k, t]) => [k, move(t)])) as unknown as R;
}

/** The first leaf (path, value there, value here) where two JSON values differ, or undefined. */
export function firstDifference(path: string, a: unknown, b: unknown): [string, string, string] | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
  if (isObject(a) && isObject(b) && Array.isArray(a) === Array.isArray(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDifference(`${path}.${k}`, a[k], b[k]);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return canonicalJson(a) === canonicalJson(b) ? undefined : [path, canonicalJson(a), canonicalJson(b)];
}

/** JSON with object keys sorted, so that two equal values compare equal however they were written. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

/** Throws unless `saved` holds exactly the tensors of `fresh`, with their shapes and dtypes. */
function checkRecordMatches(what: string, saved: Readonly<Record<string, Tensor>>, fresh: Readonly<Record<string, Tensor>>): void {
  const want = Object.keys(fresh).sort().join(', ');
  const have = Object.keys(saved).sort().join(', ');
  if (want !== have) throw new CheckpointError(`train: cannot resume: the checkpoint has ${what} [${have}], the model [${want}]`);
  for (const [name, t] of Object.entries(fresh)) {
    const s = saved[name];
    if (formatShape(s.shape) !== formatShape(t.shape) || s.dtype !== t.dtype) {
      throw new CheckpointError(
        `train: cannot resume: '${name}' is ${s.dtype} ${formatShape(s.shape)} in the checkpoint, ${t.dtype} ${formatShape(t.shape)} in the model`,
      );
    }
  }
}

function checkResumable(ckpt: Checkpoint, config: { [key: string]: JsonValue }, params: Params, state: State, optState: OptState): void {
  const saved = (ckpt.config ?? {}) as { [key: string]: JsonValue };
  // `epochs` may differ: a finished run can be resumed to train longer, step for step the same.
  // `run` and `compute` unrecorded in an older checkpoint are accepted; recorded, they must match (either way round)
  const keys = [...new Set([...Object.keys(config), ...Object.keys(saved)])];
  for (const key of keys.filter((k) => k !== 'epochs' && !((k === 'run' || k === 'compute') && saved[k] === undefined))) {
    const [path, was, is] = firstDifference(key, saved[key], config[key]) ?? [];
    if (path !== undefined) {
      throw new CheckpointError(`train: cannot resume: the checkpoint was written with ${path} = ${was}, this run has ${is}`);
    }
  }
  checkRecordMatches('parameters', ckpt.params, params);
  checkRecordMatches('buffers', ckpt.state, state);
  checkRecordMatches('optimizer state', ckpt.optState, optState);
}

/**
 * Trains `backbone` and `head` on `data` (see the file header).
 *
 * A training run with checkpoints and resume, from the command line and in code: [prototype-your-own-margin.md §5](../../docs/prototype-your-own-margin.md#5-training-evaluation-and-the-demo); what a damaged checkpoint gives: [reliability.md](../../docs/reliability.md#inputs-tried-and-faults-injected).
 *
 * @example
 * ```ts
 * import { Random, randomNormal, MLP, sgd, arcface, train } from 'arcgrad';
 * const rng = new Random(0);
 * const labels = Array.from({ length: 32 }, (_, i) => i % 3);
 * const data = { x: randomNormal([32, 4], rng), labels };
 * const result = train({
 *   backbone: new MLP({ inFeatures: 4, hidden: [8], embedding: 2 }),
 *   head: { w: randomNormal([3, 2], rng) },
 *   headLoss: (embeddings, head, y) => arcface({ s: 8, m2: 0.2 }).loss(embeddings, head.w, y),
 *   data,
 *   epochs: 5,
 *   batchSize: 8,
 *   optimizer: sgd({ lr: 0.1, momentum: 0.9 }),
 *   seed: 1,
 * });
 * console.log(result.step, result.losses.length); // → 20 20
 * console.log(result.losses.at(-1) < result.losses[0]); // → true
 * ```
 */
export function train(o: TrainOptions): TrainResult {
  const epochs = positiveInteger('epochs', o.epochs);
  const batchSize = positiveInteger('batchSize', o.batchSize);
  if (!Number.isInteger(o.seed)) throw new OptionError(`train: seed must be an integer, got ${String(o.seed)}`);
  const data = o.data.x instanceof Tensor ? o.data.x : tensor(o.data.x as number[][]);
  if (data.rank !== 2) throw new ShapeError(`train: data.x must be rows [N, in], got ${formatShape(data.shape)}`);
  // the caller's side (checkpoints, results) and where the steps compute (see TrainOptions.backend)
  const home = { backend: data.backend, dtype: data.dtype };
  const exec = { backend: o.backend ?? data.backend, dtype: computeDType({ ...o, data: { ...o.data, x: data } }) };
  const toExec = <R extends Readonly<Record<string, Tensor>>>(r: R): R => moveAll(r, exec.backend, exec.dtype);
  const toHome = <R extends Readonly<Record<string, Tensor>>>(r: R): R => moveAll(r, home.backend, home.dtype);
  const x = toExec({ x: data }).x;
  const rows = x.shape[0];
  const labels = Array.from(o.data.labels);
  if (labels.length !== rows) throw new LabelError(`train: ${labels.length} labels for ${rows} rows`);
  const dropLast = o.dropLast ?? true;
  const pk = o.identityBatches;
  if (pk !== undefined && pk.identities * pk.imagesPerIdentity !== batchSize) {
    throw new OptionError(`train: batchSize ${batchSize} must be identities × imagesPerIdentity = ${pk.identities} × ${pk.imagesPerIdentity}`);
  }
  const batchesPerEpoch = pk !== undefined ? identityBatchesPerEpoch(labels, pk) : dropLast ? Math.floor(rows / batchSize) : Math.ceil(rows / batchSize);
  if (batchesPerEpoch === 0) throw new OptionError(`train: ${rows} rows make no batch of ${batchSize} (dropLast)`);
  const totalSteps = epochs * batchesPerEpoch;
  const schedule = o.schedule ?? constantSchedule(o.optimizer.lr);
  const config = runConfig(o, rows);

  const init = o.backbone.init(new Random(o.seed));
  let params: Params = toExec({ ...scope('backbone', init.params), ...scope('head', o.head) });
  let state: State = toExec(init.state);
  let optState: OptState = o.optimizer.init(params);
  let step = 0;
  if (o.resume !== undefined) {
    const ckpt = typeof o.resume === 'string' ? loadCheckpoint(o.resume) : o.resume;
    checkResumable(ckpt, config, toHome(params), toHome(state), toHome(optState));
    if (ckpt.step > totalSteps) throw new CheckpointError(`train: the checkpoint is at step ${ckpt.step}, past this run's ${totalSteps}`);
    step = ckpt.step;
    params = toExec(ckpt.params);
    state = toExec(ckpt.state);
    optState = toExec(ckpt.optState);
    if ((ckpt.headState === undefined) !== (o.headState === undefined)) {
      throw new CheckpointError(`train: cannot resume: the checkpoint ${ckpt.headState === undefined ? 'has no' : 'has a'} head state, this run's head ${o.headState === undefined ? 'has none' : 'has one'}`);
    }
    if (ckpt.headState !== undefined) o.headState?.load(ckpt.headState);
  }

  const save = () => {
    if (o.checkpoint === undefined) return;
    const epoch = Math.floor(step / batchesPerEpoch);
    const rng = { kind: 'per-epoch', seed: o.seed, epoch, batch: step % batchesPerEpoch };
    const headState = o.headState?.save();
    saveCheckpoint(o.checkpoint.path, { step, params: toHome(params), state: toHome(state), optState: toHome(optState), rng, config, ...(headState === undefined ? {} : { headState }) });
  };
  const every = o.checkpoint?.every === undefined ? batchesPerEpoch : positiveInteger('checkpoint.every', o.checkpoint.every);

  const losses: number[] = [];
  let lastSaved = step;
  // A GPU backend's device buffers: each step frees its intermediate results (the finalizers
  // that would free them cannot run while this loop does); what the next step needs is kept.
  const backend = x.backend;
  const deviceMark = backend.markDevice?.();
  const live = (): Tensor[] => [x, ...Object.values(params), ...Object.values(state), ...Object.values(optState)];
  try {
    for (let epoch = Math.floor(step / batchesPerEpoch); epoch < epochs; epoch++) {
      const epochRandom = new Random(epochSeed(o.seed, epoch));
      const order = pk !== undefined ? identityBatchOrder(labels, pk, epochRandom) : epochRandom.shuffle(Array.from({ length: rows }, (_, i) => i));
      for (let batch = step - epoch * batchesPerEpoch; batch < batchesPerEpoch; batch++) {
        const index = order.slice(batch * batchSize, (batch + 1) * batchSize);
        const xb = takeRows(x, index);
        const yb = index.map((i) => labels[i]);
        const lr = schedule(step);
        let nextState: State = state;
        let loss: number;
        const headBefore = o.headState?.save();
        try {
          const { value, grads } = valueAndGradParams((p) => {
            const out = o.backbone.apply(unscope('backbone', p), xb, { training: true, state });
            nextState = out.state;
            return o.headLoss(out.y, unscope('head', p), yb);
          })(params);
          ({ params, state: optState } = o.optimizer.step(params, grads, optState, { lr }));
          loss = value.item();
        } catch (e) {
          if (headBefore !== undefined) o.headState?.load(headBefore); // the step commits nothing, the head's state included
          throw e;
        }
        state = nextState;
        if (deviceMark !== undefined) backend.releaseSince?.(deviceMark, live());
        step++;
        losses.push(loss);
        if (step % every === 0) {
          save();
          lastSaved = step;
        }
        o.onProgress?.({ epoch, epochs, batch, batchesPerEpoch, step, totalSteps, loss, lr });
      }
    }
  } catch (e) {
    // Interrupted (by onProgress, or a step that refused a non-finite gradient and committed
    // nothing): keep the finished steps, unless saving is what failed. The original error wins.
    if (o.checkpoint !== undefined && step !== lastSaved && !(e instanceof CheckpointError)) {
      try {
        save();
      } catch {
        // Reported below as the original error; the previous checkpoint is intact (atomic writes).
      }
    }
    throw e;
  } finally {
    if (deviceMark !== undefined) backend.releaseSince?.(deviceMark, live(), true);
  }
  if (o.checkpoint !== undefined && step !== lastSaved) save();
  const done = toHome(params);
  return { backbone: unscope('backbone', done), head: unscope('head', done), state: toHome(state), optState: toHome(optState), step, losses };
}
