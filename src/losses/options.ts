/**
 * The options of the margin losses, their published defaults, and their validation. Everything a
 * margin head can do is one plain object, so that a case file for `arcgrad check`, a CLI flag set
 * and a library call all say the same thing.
 */
import { FALLBACK_POLICIES, type FallbackPolicy } from '../ops/angular-margin.js';
import { OptionError } from '../tensor/errors.js';

/** How the margin's gradient is computed (see docs and losses/margin-head.ts). */
export type GradientMode = 'exact' | 'straight-through';

/** The gradient modes, in the order the docs list them. */
export const GRADIENT_MODES: readonly GradientMode[] = ['exact', 'straight-through'];

/** Options of a margin head: logits s·cos θ_j, the target's replaced by s·f(θ_y). */
export interface MarginOptions {
  /** Logit scale s (radius of the hypersphere). */
  s: number;
  /** Multiplicative angular margin (SphereFace), default 1. */
  m1?: number;
  /** Additive angular margin (ArcFace), radians, default 0. */
  m2?: number;
  /** Additive cosine margin (CosFace), default 0. */
  m3?: number;
  /** 'exact' (default): the true derivative of f; 'straight-through': ∂f/∂cos θ taken as 1. */
  gradient?: GradientMode;
  /** What happens where m1·θ + m2 leaves [0, π] (default 'none'). */
  fallback?: FallbackPolicy;
  /** SphereFace's blend f_λ = (λ·cos θ + f)/(1 + λ) replaces f; 0 (default) for none. */
  lambda?: number;
  /** insightface's interclass filtering: non-target cos θ above this become 0; 0 (default) is off. */
  interclassFilteringThreshold?: number;
  /** ε of the row normalization x / max(‖x‖, ε), default 1e-12 (PyTorch's F.normalize). */
  eps?: number;
  /**
   * Multiply row i of the logits by the raw feature norm ‖x_i‖ (original SphereFace / A-Softmax,
   * PML SphereFaceLoss and LargeMarginSoftmaxLoss, opensphere SphereFaceR_N): logit = s·‖x_i‖·f.
   * Default false. The norm is on the tape: its gradient reaches X.
   */
  scaleByFeatureNorm?: boolean;
  /**
   * Multiply column j of the logits by the raw class-weight norm ‖w_j‖ (L-Softmax, PML
   * LargeMarginSoftmaxLoss): logit = s·‖w_j‖·f. Default false; not with `subCenters` > 1.
   */
  scaleByWeightNorm?: boolean;
  /** Sub-centers per class K (sub-center ArcFace): W is (C·K)×d, cos θ_ij = max_k cos(x_i, w_{j,k}). Default 1. */
  subCenters?: number;
  /**
   * Clamp every cosine to [−1 + ε, 1 − ε] instead of [−1, 1] (opensphere: ε = 1e-5 before acos).
   * Exact gradients are the clamp's (zero outside); with 'straight-through' the clamp is
   * straight-through too (opensphere clamps under no_grad). Default 0.
   */
  cosineEpsilon?: number;
  /**
   * Cap the target angle φ = m1·θ + m2 at this value (opensphere: 3.14159): where φ > cap the
   * target logit is cos(cap) − m3, a constant (zero gradient). In (0, π]; 0 (default) is off.
   */
  angleCap?: number;
}

/** The options that only the tape's margin head computes (the fused heads refuse them). */
export const TAPE_ONLY_OPTIONS = ['scaleByFeatureNorm', 'scaleByWeightNorm', 'subCenters', 'cosineEpsilon', 'angleCap'] as const;

const TAPE_ONLY_DEFAULTS: Pick<ResolvedMarginOptions, (typeof TAPE_ONLY_OPTIONS)[number]> = {
  scaleByFeatureNorm: false, scaleByWeightNorm: false, subCenters: 1, cosineEpsilon: 0, angleCap: 0,
};

/** The tape-only options that `o` sets (not at their defaults). */
export function tapeOnlyOptionsIn(o: ResolvedMarginOptions): string[] {
  return TAPE_ONLY_OPTIONS.filter((k) => o[k] !== TAPE_ONLY_DEFAULTS[k]);
}

/** Whether `o` sets a peer convention that only the tape's margin head computes. */
export function usesTapeOnlyOptions(o: ResolvedMarginOptions): boolean {
  return tapeOnlyOptionsIn(o).length > 0;
}

/** Throws an OptionError when `o` sets a peer convention that `where` (a fused head) does not compute. */
export function assertNoTapeOnlyOptions(o: ResolvedMarginOptions, where: string): void {
  const set = tapeOnlyOptionsIn(o);
  if (set.length > 0) throw new OptionError(`${where}: ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} computed by the tape's margin head only (marginLoss)`);
}

/** MarginOptions with every default filled in. */
export type ResolvedMarginOptions = Required<MarginOptions>;

function finite(name: string, value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    // String(NaN) is 'NaN', JSON.stringify(NaN) 'null': say what was given.
    throw new OptionError(`${where}: ${name} must be a finite number, got ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`);
  }
  return value;
}

function flag(name: string, value: unknown, where: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new OptionError(`${where}: ${name} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** Validates `options` and fills in the defaults; throws an OptionError naming the field. */
export function resolveMarginOptions(options: MarginOptions, where = 'margin loss'): ResolvedMarginOptions {
  if (options === null || typeof options !== 'object') throw new OptionError(`${where}: options must be an object`);
  const resolved: ResolvedMarginOptions = {
    s: finite('s', options.s, where),
    m1: finite('m1', options.m1 ?? 1, where),
    m2: finite('m2', options.m2 ?? 0, where),
    m3: finite('m3', options.m3 ?? 0, where),
    gradient: options.gradient ?? 'exact',
    fallback: options.fallback ?? 'none',
    lambda: finite('lambda', options.lambda ?? 0, where),
    interclassFilteringThreshold: finite('interclassFilteringThreshold', options.interclassFilteringThreshold ?? 0, where),
    eps: finite('eps', options.eps ?? 1e-12, where),
    scaleByFeatureNorm: flag('scaleByFeatureNorm', options.scaleByFeatureNorm, where),
    scaleByWeightNorm: flag('scaleByWeightNorm', options.scaleByWeightNorm, where),
    subCenters: finite('subCenters', options.subCenters ?? 1, where),
    cosineEpsilon: finite('cosineEpsilon', options.cosineEpsilon ?? 0, where),
    angleCap: finite('angleCap', options.angleCap ?? 0, where),
  };
  if (!Number.isInteger(resolved.subCenters) || resolved.subCenters < 1) throw new OptionError(`${where}: subCenters must be a positive integer, got ${resolved.subCenters}`);
  if (resolved.scaleByWeightNorm && resolved.subCenters > 1) throw new OptionError(`${where}: scaleByWeightNorm with subCenters > 1 has no single ‖w_j‖ per class`);
  if (!(resolved.cosineEpsilon >= 0 && resolved.cosineEpsilon < 1)) throw new OptionError(`${where}: cosineEpsilon must be in [0, 1), got ${resolved.cosineEpsilon}`);
  if (!(resolved.angleCap >= 0 && resolved.angleCap <= Math.PI)) throw new OptionError(`${where}: angleCap must be in (0, π] (0 for none), got ${resolved.angleCap}`);
  if (!(resolved.s > 0)) throw new OptionError(`${where}: s must be > 0, got ${resolved.s}`);
  if (!(resolved.eps > 0)) throw new OptionError(`${where}: eps must be > 0, got ${resolved.eps}`);
  if (resolved.lambda < 0) throw new OptionError(`${where}: lambda must be ≥ 0, got ${resolved.lambda}`);
  if (!GRADIENT_MODES.includes(resolved.gradient)) {
    throw new OptionError(`${where}: gradient must be 'exact' or 'straight-through', got ${JSON.stringify(resolved.gradient)}`);
  }
  if (!FALLBACK_POLICIES.includes(resolved.fallback)) {
    throw new OptionError(
      `${where}: fallback must be one of ${FALLBACK_POLICIES.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(resolved.fallback)}`,
    );
  }
  return resolved;
}
