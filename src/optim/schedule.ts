/**
 * Schedules: functions from a step count to a value. Learning-rate schedules take t = 0, 1, 2, …,
 * the number of optimizer steps already taken (the lr of the first step is schedule(0)); they
 * return the learning rate itself, and compose by wrapping (`warmup(cosine(…), …)`).
 *
 * `sphereFaceLambdaSchedule` is the other schedule face recognition needs: the annealing weight λ of
 * SphereFace's margin (Liu et al. 2017, the Caffe `margin_inner_product` layer), which counts
 * iterations from 1 as that layer does.
 */
import { OptionError } from '../tensor/errors.js';
import { checkRange } from './optimizer.js';
import { sphereFaceLambda } from '../losses/sphereface-lambda.js';

/** A value per step. */
export type Schedule = (step: number) => number;

function checkStep(where: string, t: number, first: number): void {
  if (!Number.isInteger(t) || t < first) throw new OptionError(`${where}: the step must be an integer ≥ ${first}, got ${String(t)}`);
}

function positiveInteger(where: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new OptionError(`${where}: ${name} must be an integer ≥ 1, got ${String(v)}`);
}

/** The same value at every step. */
export function constantSchedule(value: number): Schedule {
  checkRange('constantSchedule', 'value', value, 0, Number.MAX_VALUE);
  return (t) => {
    checkStep('constantSchedule', t, 0);
    return value;
  };
}

/** base·γ^⌊t / every⌋ (PyTorch's StepLR). */
export function stepDecay({ base, every, gamma = 0.1 }: { base: number; every: number; gamma?: number }): Schedule {
  checkRange('stepDecay', 'base', base, 0, Number.MAX_VALUE);
  checkRange('stepDecay', 'gamma', gamma, 0, Number.MAX_VALUE);
  positiveInteger('stepDecay', 'every', every);
  return (t) => {
    checkStep('stepDecay', t, 0);
    return base * gamma ** Math.floor(t / every);
  };
}

/** base·γ^(number of milestones ≤ t) (PyTorch's MultiStepLR; the face-recognition staple). */
export function multiStep({ base, milestones, gamma = 0.1 }: { base: number; milestones: readonly number[]; gamma?: number }): Schedule {
  checkRange('multiStep', 'base', base, 0, Number.MAX_VALUE);
  checkRange('multiStep', 'gamma', gamma, 0, Number.MAX_VALUE);
  milestones.forEach((m, i) => {
    positiveInteger('multiStep', `milestones[${i}]`, m);
    if (i > 0 && m <= milestones[i - 1]) throw new OptionError('multiStep: milestones must increase');
  });
  return (t) => {
    checkStep('multiStep', t, 0);
    return base * gamma ** milestones.filter((m) => m <= t).length;
  };
}

/** min + (base − min)·(1 + cos(π·t/steps))/2 for t < steps, then min (PyTorch's CosineAnnealingLR, one cycle). */
export function cosine({ base, steps, min = 0 }: { base: number; steps: number; min?: number }): Schedule {
  checkRange('cosine', 'base', base, 0, Number.MAX_VALUE);
  checkRange('cosine', 'min', min, 0, base);
  positiveInteger('cosine', 'steps', steps);
  return (t) => {
    checkStep('cosine', t, 0);
    return t >= steps ? min : min + ((base - min) * (1 + Math.cos((Math.PI * t) / steps))) / 2;
  };
}

/**
 * Linear warm-up before `inner`: for t < steps the value rises linearly from startFactor·inner(0)
 * to inner(0) (PyTorch's LinearLR factor startFactor + (1 − startFactor)·t/steps); from then on
 * it is inner(t − steps), so `inner` runs its whole course after the warm-up (SequentialLR).
 */
export function warmup(inner: Schedule, { steps, startFactor = 1 / 3 }: { steps: number; startFactor?: number }): Schedule {
  positiveInteger('warmup', 'steps', steps);
  checkRange('warmup', 'startFactor', startFactor, 0, 1);
  return (t) => {
    checkStep('warmup', t, 0);
    return t < steps ? inner(0) * (startFactor + ((1 - startFactor) * t) / steps) : inner(t - steps);
  };
}

/** Options of `sphereFaceLambdaSchedule`; the defaults are the published Caffe solver's. */
export interface SphereFaceLambdaOptions {
  /** λ_base (default 1000). */
  base?: number;
  /** γ (default 0.12). */
  gamma?: number;
  /** power (default 1). */
  power?: number;
  /** λ_min (default 5). */
  min?: number;
}

/**
 * SphereFace's λ annealing as a `Schedule`: λ(iter) = max(λ_min, base·(1 + γ·iter)^(−power)),
 * iter = 1, 2, …, delegating to the loss layer's `sphereFaceLambda(iter, constants)`.
 * With the published constants λ(1) = 892.857…, λ(1658) = 5.0010 and λ = 5 from iter 1659 on.
 * The margin logit is then (λ·cos θ + ψ(θ)) / (1 + λ).
 */
export function sphereFaceLambdaSchedule({ base = 1000, gamma = 0.12, power = 1, min = 5 }: SphereFaceLambdaOptions = {}): Schedule {
  checkRange('sphereFaceLambdaSchedule', 'base', base, 0, Number.MAX_VALUE);
  checkRange('sphereFaceLambdaSchedule', 'gamma', gamma, 0, Number.MAX_VALUE);
  checkRange('sphereFaceLambdaSchedule', 'power', power, 0, Number.MAX_VALUE);
  checkRange('sphereFaceLambdaSchedule', 'min', min, 0, Number.MAX_VALUE);
  const constants = { base, gamma, power, lambdaMin: min };
  return (iter) => {
    checkStep('sphereFaceLambdaSchedule', iter, 1);
    return sphereFaceLambda(iter, constants); // the loss layer's formula: one definition
  };
}
