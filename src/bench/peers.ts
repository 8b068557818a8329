/**
 * The benchmark's contestants: functions that take one problem (X, W, labels at float32) and
 * return the ArcFace loss with ∂L/∂X and ∂L/∂W. arcgrad's own paths are always there; the tfjs
 * peers (@tensorflow/tfjs-backend-cpu and -wasm, dev dependencies) are loaded on demand and
 * reported as unavailable when they are not installed. The gpu.js path is a hook: the `gpu`
 * branch registers it with `registerBenchBackend` (see docs/benchmarks.md).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { importExtra } from '../tensor/extras.js';
import { cpu } from '../backend/cpu.js';
import { fastMarginHeadArrays } from '../losses/fast-margin-head.js';
import { marginLoss } from '../losses/margin-head.js';
import { valueAndGrad } from '../tape/grad.js';
import type { HeadArrays } from './problem.js';

/** One benchmark problem, float32: the head's arrays and its ArcFace margin. */
export interface Problem extends HeadArrays {
  /** ArcFace scale and additive angular margin. */
  s: number;
  m: number;
}

/** What a contestant returns. */
export interface HeadOutput {
  loss: number;
  dX: ArrayLike<number>;
  dW: ArrayLike<number>;
}

/** A prepared contestant: `step` runs forward + backward once; `dispose` frees what prepare made. */
export interface Prepared {
  /** Makes this contestant's library state current (tfjs: its backend), before timing: not timed. */
  activate?(): Promise<void>;
  step(): HeadOutput;
  dispose(): void;
}

/** A contestant. */
export interface BenchBackend {
  name: string;
  /** One line for the table's legend. */
  description: string;
  /** Largest N·d·C it is run at by default (slow reference paths skip the big shapes). */
  maxWork?: number;
  /** Sets up on `p` (tensors created, backend initialized): not timed. */
  prepare(p: Problem): Promise<Prepared>;
}

const registry: BenchBackend[] = [];

/** Adds a contestant (the gpu.js branch's hook). */
export function registerBenchBackend(b: BenchBackend): void {
  registry.push(b);
}

const arcface = (p: Problem) => ({ s: p.s, m2: p.m, gradient: 'exact' as const });

registerBenchBackend({
  name: 'fast',
  description: 'arcgrad fastMarginHead: fused float32 head, wasm SIMD kernels, both cores (worker_threads)',
  prepare: async (p) => ({
    step: () => fastMarginHeadArrays(p.x, p.w, p.labels, p.n, p.d, p.c, arcface(p), { threads: 'auto' }),
    dispose: () => {},
  }),
});

registerBenchBackend({
  name: 'fast-1t',
  description: 'arcgrad fastMarginHead on one thread',
  prepare: async (p) => ({
    step: () => fastMarginHeadArrays(p.x, p.w, p.labels, p.n, p.d, p.c, arcface(p), { threads: 1 }),
    dispose: () => {},
  }),
});

registerBenchBackend({
  name: 'tape-cpu',
  description: 'arcgrad tape (marginLoss + valueAndGrad) on the CPU reference backend, float32 tensors',
  maxWork: 128 * 512 * 10_000,
  prepare: async (p) => {
    const x = cpu.fromArray(p.x, [p.n, p.d], 'float32');
    const w = cpu.fromArray(p.w, [p.c, p.d], 'float32');
    const labels = Array.from(p.labels);
    const f = valueAndGrad((a, b) => marginLoss(a, b, labels, arcface(p)));
    return {
      step: () => {
        const { value, grads } = f(x, w);
        return { loss: value.item(), dX: grads[0].toTypedArray(), dW: grads[1].toTypedArray() };
      },
      dispose: () => {},
    };
  },
});

// ─── tfjs ───────────────────────────────────────────────────────────────────────────────────
/** The tfjs-core module. */
export type Tf = typeof import('@tensorflow/tfjs-core');
let tfLoaded: Promise<Tf> | undefined;

/** tfjs-core with the CPU and WASM backends registered (loaded once; an optional extra, installed in the checkout as dev dependencies). */
export async function loadTf(): Promise<Tf> {
  tfLoaded ??= importExtra('tfjs', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
    return tf;
  });
  return tfLoaded;
}

/** A tfjs tensor. */
export type TfTensor = import('@tensorflow/tfjs-core').Tensor;

/**
 * The ArcFace loss and its exact gradient in tfjs ops, for one micro-batch of `rows` rows (the
 * loss weighted to the mean over all N rows). The backward is written out in tfjs ops (the
 * formulation an engineer would pick for speed: one matmul forward, two backward, no tape),
 * because tfjs-core's Node bundle registers only a few kernels' gradients (tf.grads fails on
 * Multiply), and its ESM gradient files cannot be imported from Node. With `transposed`, W is
 * held as d×C and the products are X̂·Ŵ, G·Ŵᵀ and X̂ᵀ·G instead.
 *
 *   x̂ = x/‖x‖, ŵ = w/‖w‖, c = clip(x̂·ŵᵀ, −1, 1), θ_y = acos c_y, z = s·(c + 1_y·(cos(θ_y + m) − c_y))
 *   L = mean(logsumexp z − z_y);  ∂L/∂z = (softmax z − 1_y)/N
 *   ∂L/∂c = s·∂L/∂z off target, s·∂L/∂z_y·sin(θ_y + m)/sin θ_y on it, 0 where the clip cut
 *   dx̂ = (∂L/∂c)·ŵ, dŵ = (∂L/∂c)ᵀ·x̂, dx = (dx̂ − x̂·⟨x̂, dx̂⟩)/‖x‖ (and the same for w)
 */
export function tfArcface(tf: Tf, p: Pick<Problem, 'n' | 's' | 'm'>, transposed: boolean, explicit: boolean, x: TfTensor, w: TfTensor, onehot: TfTensor) {
  // explicit: transposes materialized and every product a plain A·B (tfjs-wasm's transposed
  // matMul paths run 5–10× slower than its plain one, measured here)
  const mm = (a: TfTensor, b: TfTensor, ta: boolean, tb: boolean) =>
    explicit ? tf.matMul(ta ? tf.transpose(a) : a, tb ? tf.transpose(b) : b) : tf.matMul(a, b, ta, tb);
  return tf.tidy(() => {
    const ax = transposed ? 0 : 1;
    const xnorm = tf.norm(x, 'euclidean', 1, true), wnorm = tf.norm(w, 'euclidean', ax, true);
    const xn = tf.div(x, xnorm), wn = tf.div(w, wnorm);
    const raw = mm(xn, wn, false, !transposed);
    const cos = tf.clipByValue(raw, -1, 1);
    const cy = tf.sum(tf.mul(cos, onehot), 1, true);
    const theta = tf.acos(cy);
    const fy = tf.cos(tf.add(theta, p.m));
    const logits = tf.mul(tf.add(cos, tf.mul(onehot, tf.sub(fy, cy))), p.s);
    const logp = tf.logSoftmax(logits);
    const loss = tf.mul(tf.neg(tf.sum(tf.mul(logp, onehot))), 1 / p.n);
    const dz = tf.mul(tf.sub(tf.exp(logp), onehot), 1 / p.n);
    const slope = tf.div(tf.sin(tf.add(theta, p.m)), tf.sin(theta));
    const dzy = tf.sum(tf.mul(dz, onehot), 1, true);
    const inside = tf.cast(tf.logicalAnd(tf.greaterEqual(raw, -1), tf.lessEqual(raw, 1)), 'float32');
    const dc = tf.mul(tf.mul(tf.add(dz, tf.mul(onehot, tf.sub(tf.mul(dzy, slope), dzy))), p.s), inside);
    const dxn = mm(dc, wn, false, transposed);
    const dwn = transposed ? mm(xn, dc, true, false) : mm(dc, xn, true, false);
    const dx = tf.div(tf.sub(dxn, tf.mul(xn, tf.sum(tf.mul(xn, dxn), 1, true))), xnorm);
    const dw = tf.div(tf.sub(dwn, tf.mul(wn, tf.sum(tf.mul(wn, dwn), ax, true))), wnorm);
    return { loss, dx, dw };
  });
}

function tfPeer(name: string, backend: 'cpu' | 'wasm', transposed: boolean, explicit: boolean, description: string, maxWork?: number): BenchBackend {
  return {
    name,
    description,
    maxWork,
    prepare: async (p) => {
      const tf = await loadTf();
      await tf.setBackend(backend);
      await tf.ready();
      // rows per micro-batch: bounded N_b·C so the N_b×C intermediates fit wasm's memory
      const mb = Math.max(1, Math.min(p.n, Math.floor(2 ** 23 / p.c)));
      const wT = transposed ? new Float32Array(p.c * p.d) : p.w;
      if (transposed) for (let j = 0; j < p.c; j++) for (let k = 0; k < p.d; k++) wT[k * p.c + j] = p.w[j * p.d + k];
      const w = tf.tensor2d(wT, transposed ? [p.d, p.c] : [p.c, p.d]);
      const batches: { x: TfTensor; onehot: TfTensor; y: TfTensor; rows: number }[] = [];
      for (let r0 = 0; r0 < p.n; r0 += mb) {
        const rows = Math.min(mb, p.n - r0);
        batches.push({
          x: tf.tensor2d(p.x.subarray(r0 * p.d, (r0 + rows) * p.d), [rows, p.d]),
          onehot: tf.cast(tf.oneHot(tf.tensor1d(p.labels.subarray(r0, r0 + rows), 'int32'), p.c), 'float32'),
          y: tf.tensor1d(p.labels.subarray(r0, r0 + rows), 'int32'),
          rows,
        });
      }
      return {
        activate: async () => {
          await tf.setBackend(backend);
        },
        step: () => {
          const dX = new Float32Array(p.n * p.d);
          let dW: Float32Array | undefined;
          let loss = 0;
          let r0 = 0;
          for (const b of batches) {
            const { loss: l, dx, dw } = tfArcface(tf, p, transposed, explicit, b.x, w, b.onehot);
            loss += l.dataSync()[0];
            dX.set(dx.dataSync(), r0 * p.d);
            const g = dw.dataSync() as Float32Array;
            if (dW === undefined) dW = Float32Array.from(g);
            else for (let i = 0; i < g.length; i++) dW[i] += g[i];
            tf.dispose([l, dx, dw]);
            r0 += b.rows;
          }
          let out = dW ?? new Float32Array(0);
          if (transposed) {
            out = new Float32Array(p.c * p.d);
            for (let j = 0; j < p.c; j++) for (let k = 0; k < p.d; k++) out[j * p.d + k] = dW![k * p.c + j];
          }
          return { loss, dX, dW: out };
        },
        dispose: () => tf.dispose([w, ...batches.flatMap((b) => [b.x, b.onehot, b.y])]),
      };
    },
  };
}

registerBenchBackend(tfPeer('tfjs-cpu', 'cpu', false, false, '@tensorflow/tfjs-backend-cpu, ArcFace forward + hand-written exact backward in tfjs ops', 128 * 512 * 10_000));
registerBenchBackend(tfPeer('tfjs-wasm', 'wasm', true, true, '@tensorflow/tfjs-backend-wasm (SIMD, one thread in Node), best formulation found: W held d×C, transposes materialized, plain A·B products only'));
registerBenchBackend(tfPeer('tfjs-wasm-nt', 'wasm', false, false, "@tensorflow/tfjs-backend-wasm, W as C×d, matMul's own transpose flags (X̂·Ŵᵀ, Gᵀ·X̂)", 128 * 512 * 10_000));

/** Every registered contestant, in registration order. */
export function benchBackends(): readonly BenchBackend[] {
  return registry;
}
