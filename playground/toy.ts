/**
 * The playground's 2-D toy: `classes` Gaussian clusters in `inputDim` dimensions, a linear map to
 * a 2-D embedding (so every sample is a point whose direction is an angle on the circle), and a
 * margin head with one center per class, trained by Adam on the full batch with arcgrad's tape.
 *
 * One `step()` is one optimizer step and runs synchronously; the page yields to the event loop
 * between steps. Data and initial parameters are drawn from `seed` on the CPU and then placed on
 * the chosen backend (float64 on the CPU reference, float32 on gpu.js, which holds float32 only),
 * so every backend starts from the same numbers.
 */
import type { Backend } from '../src/backend/backend.js';
import { cpu } from '../src/backend/cpu.js';
import { combinedMargin } from '../src/losses/presets.js';
import type { MarginOptions } from '../src/losses/options.js';
import type { Params } from '../src/nn/params.js';
import { valueAndGradParams } from '../src/nn/params.js';
import { matmul } from '../src/ops/matmul.js';
import { adam } from '../src/optim/adam.js';
import type { OptState, Optimizer } from '../src/optim/optimizer.js';
import { OptionError } from '../src/tensor/errors.js';
import { Random } from '../src/tensor/random.js';
import type { Tensor } from '../src/tensor/tensor.js';

/** Options of the toy. */
export interface ToyOptions {
  /** The margin loss (s, m1, m2, m3, fallback, λ, …) the head trains with. */
  margin: MarginOptions;
  /** Number of classes (default 5). */
  classes?: number;
  /** Samples per class (default 40). */
  perClass?: number;
  /** Input dimension (default 8). */
  inputDim?: number;
  /** Standard deviation of each cluster around its mean; the means lie at distance 3 from 0 (default 1). */
  noise?: number;
  /** Seed of the data and the initial parameters (default 1). */
  seed?: number;
  /** Adam's learning rate (default 0.05). */
  lr?: number;
  /** Where the tensors live (default the CPU reference). */
  backend?: Backend;
}

/** The toy the playground page trains (everything but the margin and the backend). */
export const PLAYGROUND_TOY = { classes: 5, perClass: 40, inputDim: 8, noise: 0.5, seed: 1, lr: 0.05 } as const;

/** The toy data and model, and one full-batch Adam step at a time. */
export class ToyTrainer {
  /** Class of each sample. */
  readonly labels: Int32Array;
  /** The loss before each step taken so far (losses[k] is step k's). */
  readonly losses: number[] = [];
  /** Number of classes. */
  readonly classes: number;
  /** The backend the model trains on. */
  readonly backend: Backend;
  private readonly x: Tensor;
  private readonly optimizer: Optimizer;
  private readonly lossAndGrad: (params: Params) => { value: Tensor; grads: Record<string, Tensor> };
  private params: Params;
  private state: OptState;

  constructor(options: ToyOptions) {
    const { classes = 5, perClass = 40, inputDim = 8, noise = 1, seed = 1, lr = 0.05, backend = cpu } = options;
    for (const [name, v] of Object.entries({ classes, perClass, inputDim })) {
      if (!Number.isInteger(v) || v < (name === 'classes' ? 2 : 1)) throw new OptionError(`ToyTrainer: ${name} must be a positive integer (classes ≥ 2), got ${v}`);
    }
    const head = combinedMargin(options.margin, 'ToyTrainer');
    this.classes = classes;
    this.backend = backend;
    const rng = new Random(seed);
    const dtype = backend === cpu ? 'float64' : 'float32';
    const normals = (n: number, std: number) => Float64Array.from({ length: n }, () => std * rng.normal());
    // Cluster means: random directions at radius 3.
    const means = Array.from({ length: classes }, () => {
      const m = normals(inputDim, 1);
      const r = Math.hypot(...m);
      return m.map((v) => (3 * v) / r);
    });
    const n = classes * perClass;
    const x = new Float64Array(n * inputDim);
    this.labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % classes;
      this.labels[i] = k;
      for (let j = 0; j < inputDim; j++) x[i * inputDim + j] = means[k][j] + noise * rng.normal();
    }
    this.x = backend.fromArray(x, [n, inputDim], dtype);
    this.params = {
      proj: backend.fromArray(normals(2 * inputDim, 1 / Math.sqrt(inputDim)), [2, inputDim], dtype),
      w: backend.fromArray(normals(2 * classes, 1), [classes, 2], dtype),
    };
    this.optimizer = adam({ lr });
    this.state = this.optimizer.init(this.params);
    this.lossAndGrad = valueAndGradParams((p) => head.loss(this.embed(p), p.w, this.labels));
  }

  private embed(p: Params): Tensor {
    return matmul(this.x, p.proj, { transB: true });
  }

  /** One Adam step on the full batch; returns the loss before it (also appended to `losses`). */
  step(): number {
    const { value, grads } = this.lossAndGrad(this.params);
    const loss = value.item();
    const next = this.optimizer.step(this.params, grads, this.state);
    this.params = next.params;
    this.state = next.state;
    this.losses.push(loss);
    return loss;
  }

  /** The current mean loss, without a step. */
  loss(): number {
    return this.lossAndGrad(this.params).value.item();
  }

  /** The 2-D embeddings, row-major N × 2. */
  embeddings(): Float64Array {
    return Float64Array.from(this.embed(this.params).toTypedArray());
  }

  /** The class centers W, row-major C × 2. */
  centers(): Float64Array {
    return Float64Array.from(this.params.w.toTypedArray());
  }

  /** Share of samples whose nearest center by angle is their own class. */
  accuracy(): number {
    const e = this.embeddings();
    const w = this.centers();
    let right = 0;
    for (let i = 0; i < this.labels.length; i++) {
      let best = -1;
      let bestCos = -Infinity;
      for (let k = 0; k < this.classes; k++) {
        const c = (e[2 * i] * w[2 * k] + e[2 * i + 1] * w[2 * k + 1]) / (Math.hypot(w[2 * k], w[2 * k + 1]) || 1);
        if (c > bestCos) [best, bestCos] = [k, c];
      }
      if (best === this.labels[i]) right++;
    }
    return right / this.labels.length;
  }
}
