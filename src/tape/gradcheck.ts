/**
 * gradcheck: checks the tape's gradients of any function of tensors against central finite
 * differences, in float64 on the CPU reference backend. Public, so that users can check their own
 * compositions (a new margin, say) exactly as arcgrad checks its ops.
 *
 * For g(x) = ⟨w, f(x)⟩ (w = 1 for a scalar f, else a fixed random cotangent), the analytic
 * gradient ∂g/∂x comes from one backward pass; the numeric one is
 * (g(x + ε·e) − g(x − ε·e)) / 2ε along each checked direction e: every element (the default), or
 * `directions` random unit directions per input (cheaper for large inputs: two evaluations per
 * direction, whatever the size). Central differences have error O(ε²) from truncation and
 * O(u·|g|/ε) from rounding, so ε = 1e-6 leaves about 1e-10 relative in float64.
 */
import { cpu } from '../backend/cpu.js';
import { withBackend } from '../backend/registry.js';
import { OptionError } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { vjp, type TensorFunction } from './grad.js';
import { assertTensor } from './tape.js';

/** Options of `gradcheck`. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-7). */
  atol?: number;
  /** Check this many random directions per input instead of every element. */
  directions?: number;
  /** Seed of the random cotangent and directions (default 0). */
  seed?: number;
}

/** The comparison for one input. */
export interface GradcheckInputResult {
  /** Position of the input in the argument list. */
  index: number;
  /** Its shape. */
  shape: readonly number[];
  /** Number of directions compared (elements, or random directions). */
  checked: number;
  /** Largest |analytic − numeric| over the checked directions. */
  maxAbsError: number;
  /** Largest |analytic − numeric| / max(|analytic|, |numeric|, tiny) over the checked directions. */
  maxRelError: number;
  /** The worst direction: its element (or direction) number and both values. */
  worst: {
    /** The element number (or random direction number); −1 when nothing was checked. */
    direction: number;
    /** The tape's directional derivative. */
    analytic: number;
    /** The central difference. */
    numeric: number;
  };
  /** Every direction within atol + rtol·|numeric|. */
  ok: boolean;
}

/** What `gradcheck` returns. */
export interface GradcheckResult {
  /** Every input passed. */
  ok: boolean;
  /** One entry per input. */
  inputs: GradcheckInputResult[];
}

function toReference(x: Tensor): Tensor {
  return cpu.fromArray(x.toTypedArray(), x.shape, 'float64');
}

/**
 * Compares the tape's gradients of `f` at `inputs` with central differences (see file header).
 *
 * Why central differences with ε = 1e-6, and the tolerance: [ops.md, how gradients are checked](../../docs/ops.md#gradcheck).
 *
 * @example
 * ```ts
 * import { Random, randomNormal, gradcheck, arcface } from 'arcgrad';
 * const rng = new Random(1);
 * const x = randomNormal([4, 8], rng);
 * const w = randomNormal([5, 8], rng);
 * const result = gradcheck((x, w) => arcface().loss(x, w, [0, 3, 1, 4]), [x, w]);
 * console.log(result.ok); // → true
 * ```
 */
export function gradcheck(f: TensorFunction, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const { eps = 1e-6, rtol = 1e-5, atol = 1e-7, directions, seed = 0 } = options;
  if (!(eps > 0)) throw new OptionError(`gradcheck: eps must be > 0, got ${eps}`);
  if (directions !== undefined && !(Number.isInteger(directions) && directions > 0)) {
    throw new OptionError(`gradcheck: directions must be a positive integer, got ${directions}`);
  }
  inputs.forEach((x, i) => assertTensor(x, `gradcheck: input ${i}`));
  return withBackend(cpu, () => {
    const xs = inputs.map(toReference);
    const rng = new Random(seed);
    const y = f(...xs);
    assertTensor(y, 'gradcheck: the function result');
    const w = y.size === 1 ? cpu.fill(y.shape, 1, 'float64') : cpu.fromArray(Array.from({ length: y.size }, () => rng.normal()), y.shape, 'float64');
    const wData = w.toTypedArray();
    const g = (args: Tensor[]): number => {
      const out = f(...args).toTypedArray();
      let s = 0;
      for (let i = 0; i < out.length; i++) s += wData[i] * out[i];
      return s;
    };
    const analytic = vjp(f, xs, w).grads.map((t) => t.toTypedArray());

    const results = xs.map((x, index): GradcheckInputResult => {
      const base = x.toTypedArray();
      const count = directions ?? base.length;
      let maxAbsError = 0;
      let maxRelError = 0;
      let worst = { direction: -1, analytic: 0, numeric: 0 };
      let ok = true;
      for (let k = 0; k < count; k++) {
        const dir = new Float64Array(base.length);
        if (directions === undefined) dir[k] = 1;
        else {
          let norm = 0;
          for (let i = 0; i < dir.length; i++) norm += (dir[i] = rng.normal()) ** 2;
          for (let i = 0; i < dir.length; i++) dir[i] /= Math.sqrt(norm) || 1;
        }
        const shifted = (sign: number) => {
          const args = xs.slice();
          args[index] = cpu.fromArray(base.map((v, i) => v + sign * eps * dir[i]), x.shape, 'float64');
          return g(args);
        };
        const numeric = (shifted(1) - shifted(-1)) / (2 * eps);
        let a = 0;
        for (let i = 0; i < dir.length; i++) a += analytic[index][i] * dir[i];
        const abs = Math.abs(a - numeric);
        const rel = abs / Math.max(Math.abs(a), Math.abs(numeric), 1e-300);
        if (abs > atol + rtol * Math.abs(numeric) || !Number.isFinite(a)) ok = false;
        if (abs >= maxAbsError) worst = { direction: k, analytic: a, numeric };
        maxAbsError = Math.max(maxAbsError, abs);
        maxRelError = Math.max(maxRelError, abs === 0 ? 0 : rel);
      }
      return { index, shape: x.shape, checked: count, maxAbsError, maxRelError, worst, ok };
    });
    return { ok: results.every((r) => r.ok), inputs: results };
  });
}
