/**
 * Training steps of an MLP with PReLU and a batch-normed embedding under an ArcFace head, two sizes.
 *
 * `toy` — the tape's own overhead on tiny tensors: one training step of the demo's 2-D toy model (the
 * unit-circle figure's: MLP 196 → 128 → 2 with PReLU and a batch-normed embedding, then an
 * ArcFace head over the 7 known digits, s = 30, m = 0.5), batch 64, on synthetic inputs. A step is
 * the forward pass and every parameter's gradient, read back as typed arrays (no optimizer
 * update: it is the same few axpys in any library). The contestants are arcgrad's tape on the CPU
 * backend in float64 (the demo's dtype; also the reference the others are checked against) and in
 * float32, and tfjs on its CPU and WASM backends with the backward written out in tfjs ops (no
 * tfjs tape: see peers.ts for why; its own tape would only add work).
 */
import type { Backend } from '../backend/backend.js';
import { cpu } from '../backend/cpu.js';
import { WasmBackend, wasmBackend } from '../backend/wasm/backend.js';
import { sgd } from '../optim/sgd.js';
import { marginLoss } from '../losses/margin-head.js';
import { MLP } from '../nn/mlp.js';
import { valueAndGradParams, type Params, type State } from '../nn/params.js';
import { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadTf, tfArcface, type Tf, type TfTensor } from './peers.js';

/** One toy problem: inputs, labels and the initial parameters (float64 values). */
export interface ToyProblem {
  /** Rows in the batch. */
  n: number;
  /** Input width, hidden width, embedding width, classes. */
  inputs: number;
  hidden: number;
  embedding: number;
  classes: number;
  /** The batch, n×inputs row-major. */
  x: Float64Array;
  /** Labels in 0 … classes−1. */
  labels: Int32Array;
  /** Parameters by arcgrad's names (fc0.w, fc0.b, act0.alpha, fc1.w, fc1.b, bn.gamma, bn.beta, head.w). */
  params: Record<string, { data: Float64Array; shape: number[] }>;
  /** ArcFace scale and additive angular margin. */
  s: number;
  m: number;
  /** Batch norm's ε. */
  eps: number;
  /** When set, a step ends with the plain SGD update θ ← θ − lr·g of every parameter (the `train` workload). */
  lr?: number;
}

/** What a toy contestant returns: the loss and every parameter's gradient by name. */
export interface ToyOutput {
  loss: number;
  grads: Record<string, ArrayLike<number>>;
}

/** A prepared toy contestant (see `Prepared` in peers.ts). */
export interface ToyPrepared {
  /** Makes this contestant's library state current, before timing: not timed. */
  activate?(): Promise<void>;
  step(): ToyOutput;
  dispose(): void;
}

/** A toy contestant. */
export interface ToyContestant {
  name: string;
  /** One line for the table's legend. */
  description: string;
  /** Sets up on `p`: not timed. */
  prepare(p: ToyProblem): Promise<ToyPrepared>;
}

/** The demo's toy shapes: batch 64, MLP 196 → 128 → 2, 7 classes; ArcFace s = 30, m = 0.5. */
export function toyProblem(seed = 7): ToyProblem {
  return mlpProblem([64, 196, 128, 2, 7], { s: 30, m: 0.5 }, seed);
}

/**
 * `train` — the training step issue 18 sets its targets on: batch 256, MLP 1024 → 512 → 128 with
 * PReLU and batch norm, ArcFace over 2,000 classes (s = 64, m = 0.5), forward, backward and the
 * SGD update (lr 0.01), float32 (the float64 tape is the reference the others are checked against).
 */
export function trainProblem(seed = 7): ToyProblem {
  return { ...mlpProblem([256, 1024, 512, 128, 2000], { s: 64, m: 0.5 }, seed), lr: 0.01 };
}

/** Synthetic inputs, labels and perturbed initial parameters for the MLP of the given sizes. */
function mlpProblem([n, inputs, hidden, embedding, classes]: readonly number[], { s, m }: { s: number; m: number }, seed: number): ToyProblem {
  const r = new Random(seed);
  const model = new MLP({ inFeatures: inputs, hidden: [hidden], embedding });
  const { params } = model.init(r);
  const out: ToyProblem['params'] = {};
  // the initial biases, slopes and batch-norm affine are constants; perturb every parameter so
  // that no gradient is special (all biases 0, γ = 1, α = 0.25 would hide a transposed term)
  for (const [name, t] of Object.entries(params)) {
    const data = Float64Array.from(t.toTypedArray(), (v) => v + 0.1 * r.normal());
    out[name] = { data, shape: [...t.shape] };
  }
  out['head.w'] = { data: Float64Array.from({ length: classes * embedding }, () => r.normal()), shape: [classes, embedding] };
  const x = Float64Array.from({ length: n * inputs }, () => r.normal());
  const labels = Int32Array.from({ length: n }, () => Math.floor(r.uniform() * classes));
  return { n, inputs, hidden, embedding, classes, x, labels, params: out, s, m, eps: 1e-5 };
}

function tapeToy(name: string, dtype: 'float64' | 'float32', description: string, backendOf: () => Backend = () => cpu): ToyContestant {
  return {
    name,
    description,
    prepare: async (p) => {
      const be = backendOf();
      const model = new MLP({ inFeatures: p.inputs, hidden: [p.hidden], embedding: p.embedding, batchNorm: { eps: p.eps } });
      let params: Params = Object.fromEntries(Object.entries(p.params).map(([k, v]) => [k, be.fromArray(v.data, v.shape, dtype)]));
      const state: State = { 'bn.mean': be.fromArray(new Float64Array(p.embedding), [p.embedding], dtype), 'bn.var': be.fromArray(new Float64Array(p.embedding).fill(1), [p.embedding], dtype) };
      const x = be.fromArray(p.x, [p.n, p.inputs], dtype);
      const labels = Array.from(p.labels);
      const backbone = (ps: Params) => Object.fromEntries(Object.entries(ps).filter(([k]) => !k.startsWith('head.')));
      const f = valueAndGradParams((ps) => marginLoss(model.apply(backbone(ps), x, { training: true, state }).y, ps['head.w'], labels, { s: p.s, m2: p.m }));
      const optimizer = sgd({ lr: p.lr ?? 0 });
      let optState = optimizer.init(params);
      return {
        step: () => {
          const { value, grads } = f(params);
          const out = { loss: value.item(), grads: Object.fromEntries(Object.entries(grads).map(([k, g]: [string, Tensor]) => [k, g.toTypedArray()])) };
          if (p.lr !== undefined) ({ params, state: optState } = optimizer.step(params, grads, optState, { lr: p.lr }));
          return out;
        },
        dispose: () => {},
      };
    },
  };
}

/**
 * The toy step in tfjs ops, forward and the hand-written backward:
 *   h = x·W₀ᵀ + b₀, a = prelu(h, α), u = a·W₁ᵀ + b₁, e = γ·û + β with û = (u − μ)/√(σ² + ε)
 *   (batch statistics, biased σ²), loss = ArcFace(e, W_h) (tfArcface, which returns ∂L/∂e, ∂L/∂W_h);
 *   dγ = Σ de·û, dβ = Σ de, du = (dû − mean(dû) − û·mean(dû·û))/√(σ² + ε) with dû = de·γ,
 *   dW₁ = duᵀ·a, db₁ = Σ du, da = du·W₁, dh = da·(h > 0 ? 1 : α), dα = Σ da·min(h, 0),
 *   dW₀ = dhᵀ·x, db₀ = Σ dh.
 */
function tfToyStep(tf: Tf, p: ToyProblem, x: TfTensor, onehot: TfTensor, w: Record<string, TfTensor>): Record<string, TfTensor> {
  return tf.tidy(() => {
    const h = tf.add(tf.matMul(x, w['fc0.w'], false, true), w['fc0.b']);
    const a = tf.prelu(h, w['act0.alpha']);
    const u = tf.add(tf.matMul(a, w['fc1.w'], false, true), w['fc1.b']);
    const mu = tf.mean(u, 0, true);
    const centered = tf.sub(u, mu);
    const invStd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), 0, true), p.eps));
    const uHat = tf.mul(centered, invStd);
    const e = tf.add(tf.mul(uHat, w['bn.gamma']), w['bn.beta']);
    const { loss, dx: de, dw: dHead } = tfArcface(tf, { n: p.n, s: p.s, m: p.m }, false, false, e, w['head.w'], onehot);
    const dUHat = tf.mul(de, w['bn.gamma']);
    const du = tf.mul(tf.sub(tf.sub(dUHat, tf.mean(dUHat, 0, true)), tf.mul(uHat, tf.mean(tf.mul(dUHat, uHat), 0, true))), invStd);
    const da = tf.matMul(du, w['fc1.w']);
    const positive = tf.greater(h, 0);
    const dh = tf.where(positive, da, tf.mul(da, w['act0.alpha']));
    return {
      loss,
      'fc0.w': tf.matMul(dh, x, true, false),
      'fc0.b': tf.sum(dh, 0),
      'act0.alpha': tf.sum(tf.where(positive, tf.zerosLike(da), tf.mul(da, h)), 0),
      'fc1.w': tf.matMul(du, a, true, false),
      'fc1.b': tf.sum(du, 0),
      'bn.gamma': tf.sum(tf.mul(de, uHat), 0),
      'bn.beta': tf.sum(de, 0),
      'head.w': dHead,
    };
  });
}

function tfToy(name: string, backend: 'cpu' | 'wasm', description: string): ToyContestant {
  return {
    name,
    description,
    prepare: async (p) => {
      const tf = await loadTf();
      await tf.setBackend(backend);
      await tf.ready();
      let w = Object.fromEntries(Object.entries(p.params).map(([k, v]) => [k, tf.tensor(Float32Array.from(v.data), v.shape)]));
      const x = tf.tensor2d(Float32Array.from(p.x), [p.n, p.inputs]);
      const onehot = tf.cast(tf.oneHot(tf.tensor1d(p.labels, 'int32'), p.classes), 'float32');
      return {
        activate: async () => {
          await tf.setBackend(backend);
        },
        step: () => {
          const out = tfToyStep(tf, p, x, onehot, w);
          const grads: Record<string, Float32Array> = {};
          for (const k of Object.keys(p.params)) grads[k] = out[k].dataSync() as Float32Array;
          const loss = out.loss.dataSync()[0];
          if (p.lr !== undefined) {
            const lr = p.lr;
            const next = tf.tidy(() => Object.fromEntries(Object.entries(w).map(([k, t]) => [k, tf.sub(t, tf.mul(out[k], lr))])));
            tf.dispose(Object.values(w));
            w = next;
          }
          tf.dispose(Object.values(out));
          return { loss, grads };
        },
        dispose: () => tf.dispose([...Object.values(w), x, onehot]),
      };
    },
  };
}

/** The `train` step's contestants: the first (the float64 tape) is the reference of the others. */
export const trainContestants: readonly ToyContestant[] = [
  tapeToy('tape-cpu-f64', 'float64', 'arcgrad tape on the CPU backend, float64 (the reference)'),
  tapeToy('tape-wasm', 'float32', "arcgrad tape on the wasm backend (the training default: SIMD gemm, fused head through the marginHead op, min(2, cores) threads)", () => wasmBackend()),
  tapeToy('tape-wasm-1t', 'float32', 'the same on one thread', () => new WasmBackend({ threads: 1 })),
  tapeToy('tape-cpu', 'float32', 'arcgrad tape on the CPU backend, float32 tensors'),
  tfToy('tfjs-cpu', 'cpu', '@tensorflow/tfjs-backend-cpu: the same step in tfjs ops, backward written out (no tape), SGD update'),
  tfToy('tfjs-wasm', 'wasm', '@tensorflow/tfjs-backend-wasm: the same'),
];

/** The toy step's contestants: the first (the float64 tape) is the reference of the others. */
export const toyContestants: readonly ToyContestant[] = [
  tapeToy('tape-cpu-f64', 'float64', 'arcgrad tape (MLP.apply + marginLoss, valueAndGradParams) on the CPU backend, float64 (as the demo trains)'),
  tapeToy('tape-cpu', 'float32', 'the same with float32 tensors'),
  tfToy('tfjs-cpu', 'cpu', '@tensorflow/tfjs-backend-cpu: the same step in tfjs ops, backward written out (no tape)'),
  tfToy('tfjs-wasm', 'wasm', '@tensorflow/tfjs-backend-wasm: the same'),
];
