/**
 * SphereFace2 (Wen et al., "SphereFace2: Binary Classification is All You Need for Deep Face
 * Recognition", ICLR 2022; the SphereFace2-C head of ydwen/opensphere,
 * `opensphere/module/head/sphereface2.py`): one binary (one-vs-all) logistic classifier per class
 * instead of a softmax over classes. For cosines c_ij = cos θ_ij (as the margin head: normalized X
 * and W, clamped to [−1, 1]) and labels y (−1 = ignored row):
 *
 *   g(c)   = 2·((c + 1)/2)ᵗ − 1                              (the similarity adjustment, t ≥ 1)
 *   z_ij   = r·(g(c_ij) − m) + b   for j = y_i               (positive: pushed above the bias)
 *          = r·(g(c_ij) + m) + b   for j ≠ y_i               (negatives)
 *   L      = (lw/(r·V)) · Σ_{i: y_i ≠ −1} [ α·softplus(−z_{i,y_i}) + (1 − α)·Σ_{j ≠ y_i} softplus(z_ij) ]
 *
 * with V the number of labelled rows and softplus(u) = log(1 + eᵘ), the binary cross-entropy of a
 * logit. This is opensphere's `F.binary_cross_entropy_with_logits(logits, one_hot, weight)` with
 * weight = lw·C/r·(α or 1 − α), a mean over the N·C entries: (1/(N·C))·lw·C/r = lw/(r·N).
 *
 * Gradient (derived, and what the tape computes from the ops softplus and shiftedPower):
 *
 *   ∂L/∂z_ij   = (lw/(r·V))·α·(σ(z_ij) − 1)        for j = y_i   (softplus′(−z)·(−1) = −σ(−z) = σ(z) − 1)
 *              = (lw/(r·V))·(1 − α)·σ(z_ij)        for j ≠ y_i
 *   ∂z_ij/∂c_ij = r·g′(c_ij) = r·t·((c_ij + 1)/2)^{t−1}    ('exact')
 *              = r                                         ('straight-through': opensphere computes
 *                                                           g − c under no_grad, its CGD)
 *   ∂L/∂c_ij   = (lw/V)·[α·(σ(z_ij) − 1) or (1 − α)·σ(z_ij)]·(g′(c_ij) or 1)
 *
 * then through the cosine matrix to X and W as in the margin head. The bias b is a constant here
 * (a case file gives it); its default is opensphere's initialization for C classes:
 *
 *   b₀ = log(2ζ) − a_n − log(1 − ζ + √((1 − ζ)² + 4ζ·e^{a_p − a_n})),
 *   ζ = α/((1 − α)(C − 1)),  a_p = r·(2·0.5ᵗ − 1 − m),  a_n = r·(2·0.5ᵗ − 1 + m)
 *
 * (for ζ > 1 the last log is evaluated without the cancellation that makes opensphere's
 * expression −∞ when r·m is large; see sphereFace2InitialBias).
 */
import { add, mul, scale, shiftedPower, softplus, sum } from '../ops/index.js';
import type { Labels } from '../ops/_labels.js';
import { straightThrough } from '../tape/surgery.js';
import { OptionError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkHeadInputs, cosineMatrix } from './margin-head.js';
import { GRADIENT_MODES, type GradientMode } from './options.js';

/** Options of the SphereFace2 loss (opensphere's defaults). */
export interface SphereFace2Options {
  /** Scale r of the logits, default 40. */
  r?: number;
  /** Margin m (subtracted at the target, added elsewhere), default 0.4. */
  m?: number;
  /** Exponent t ≥ 1 of the similarity adjustment g, default 3. */
  t?: number;
  /** Weight α of the positive term (λ in the paper's Eq. 5), in (0, 1), default 0.7. */
  alpha?: number;
  /** Loss weight lw, default 50. */
  lw?: number;
  /** Bias b; default opensphere's initialization for C classes (file header; needs C ≥ 2). */
  b?: number;
  /** 'exact' (default): the true derivative of g; 'straight-through': ∂g/∂c taken as 1 (opensphere). */
  gradient?: GradientMode;
  /** ε of the row normalization, default 1e-12. */
  eps?: number;
}

/** SphereFace2Options with every default filled in. */
export type ResolvedSphereFace2Options = Required<SphereFace2Options>;

/** opensphere's initial bias b₀ for C classes (file header). */
export function sphereFace2InitialBias(classes: number, o: Pick<ResolvedSphereFace2Options, 'r' | 'm' | 't' | 'alpha'>): number {
  if (!(Number.isInteger(classes) && classes >= 2)) throw new OptionError(`sphereFace2: the default bias needs C ≥ 2 classes, got ${classes}; give b`);
  const zeta = o.alpha / ((1 - o.alpha) * (classes - 1));
  const ap = o.r * (2 * 0.5 ** o.t - 1 - o.m);
  const an = o.r * (2 * 0.5 ** o.t - 1 + o.m);
  const root = Math.sqrt((1 - zeta) ** 2 + 4 * zeta * Math.exp(ap - an));
  // For ζ > 1 (few classes), 1 − ζ + √… cancels to 0 when e^{a_p − a_n} is tiny (r·m large) and the
  // log would be −∞: there it is written as 4ζ·e^{a_p − a_n}/(√… + ζ − 1), the same number.
  const logTerm = zeta > 1 ? Math.log(4 * zeta) + (ap - an) - Math.log(root + zeta - 1) : Math.log(1 - zeta + root);
  return Math.log(2 * zeta) - an - logTerm;
}

/** Validates SphereFace2 options for C classes and fills in the defaults; an OptionError names the field. */
export function resolveSphereFace2Options(options: SphereFace2Options, classes: number, where = 'sphereFace2Loss'): ResolvedSphereFace2Options {
  if (options === null || typeof options !== 'object') throw new OptionError(`${where}: options must be an object`);
  const num = (name: keyof SphereFace2Options, fallback: number) => {
    const v = options[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new OptionError(`${where}: ${name} must be a finite number, got ${JSON.stringify(v)}`);
    return v;
  };
  const r = num('r', 40);
  const m = num('m', 0.4);
  const t = num('t', 3);
  const alpha = num('alpha', 0.7);
  const lw = num('lw', 50);
  const eps = num('eps', 1e-12);
  if (!(r > 0)) throw new OptionError(`${where}: r must be > 0, got ${r}`);
  if (!(t >= 1)) throw new OptionError(`${where}: t must be ≥ 1, got ${t}`);
  if (!(alpha > 0 && alpha < 1)) throw new OptionError(`${where}: alpha must be in (0, 1), got ${alpha}`);
  if (!(lw > 0)) throw new OptionError(`${where}: lw must be > 0, got ${lw}`);
  if (!(eps > 0)) throw new OptionError(`${where}: eps must be > 0, got ${eps}`);
  const gradient = options.gradient ?? 'exact';
  if (!GRADIENT_MODES.includes(gradient)) throw new OptionError(`${where}: gradient must be 'exact' or 'straight-through', got ${JSON.stringify(gradient)}`);
  const b = options.b === undefined ? sphereFace2InitialBias(classes, { r, m, t, alpha }) : num('b', 0);
  return { r, m, t, alpha, lw, b, gradient, eps };
}

/** The SphereFace2 loss of features X (N×d), class centers W (C×d) and labels (−1 = ignored row); see the file header. */
export function sphereFace2Loss(x: Tensor, w: Tensor, labels: Labels, options: SphereFace2Options = {}): Tensor {
  const y = checkHeadInputs('sphereFace2Loss', x, w, labels);
  const [n, c] = [x.shape[0], w.shape[0]];
  const o = resolveSphereFace2Options(options, c);
  const cosines = cosineMatrix(x, w, o.eps);
  const g = shiftedPower(cosines, o.t);
  const adjusted = o.gradient === 'straight-through' ? straightThrough(g, cosines) : g;
  // Constants per entry: the sign that makes each term softplus(±z), the offset r·(∓m) + b, the weight.
  const signs = new Float64Array(n * c);
  const offsets = new Float64Array(n * c);
  const weights = new Float64Array(n * c);
  let labelled = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] >= 0) labelled++;
    for (let j = 0; j < c; j++) {
      const target = j === y[i];
      signs[i * c + j] = target ? -1 : 1;
      offsets[i * c + j] = o.r * (target ? -o.m : o.m) + o.b;
      weights[i * c + j] = y[i] < 0 ? 0 : target ? o.alpha : 1 - o.alpha;
    }
  }
  const constant = (v: Float64Array) => x.backend.fromArray(v, [n, c], x.dtype);
  const z = add(scale(adjusted, o.r), constant(offsets));
  const terms = mul(softplus(mul(z, constant(signs))), constant(weights));
  return scale(sum(terms), o.lw / (o.r * Math.max(labelled, 1))); // no labelled row: 0, as crossEntropy
}
