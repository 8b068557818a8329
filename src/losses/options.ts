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
  };
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
