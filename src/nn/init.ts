/**
 * Weight initializers, all drawn from a seeded `Random` so that a model's initial parameters are a
 * function of one integer. Fans follow PyTorch's convention for a weight of shape [out, in]
 * (fanIn = in, fanOut = out); a vector [n] has fanIn = fanOut = n, a scalar 1.
 *
 *   xavierUniform  U(−a, a),  a = gain·√(6 / (fanIn + fanOut))      Glorot & Bengio 2010
 *   xavierNormal   N(0, σ²),  σ = gain·√(2 / (fanIn + fanOut))
 *   kaimingNormal  N(0, σ²),  σ = gain / √fan,  gain = √(2 / (1 + a²))  He et al. 2015
 *   kaimingUniform U(−b, b),  b = gain·√(3 / fan)
 *   normal(std)    N(mean, std²)
 */
import { full, randomNormal, randomUniform } from '../tensor/create.js';
import { OptionError } from '../tensor/errors.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

/** Draws a tensor of `shape`; random initializers consume `rng`, constant ones ignore it. */
export type Initializer = (shape: readonly number[], rng: Random) => Tensor;

/** The fans of a parameter. */
export interface Fans {
  /** Inputs feeding each output unit (the `in` of [out, in]). */
  fanIn: number;
  /** Outputs each input unit feeds (the `out` of [out, in]). */
  fanOut: number;
}

/** The fan-in and fan-out of a parameter of `shape` ([out, in] for a weight matrix). */
export function fans(shape: readonly number[]): Fans {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  return { fanIn: shape[1], fanOut: shape[0] };
}

function positiveFinite(where: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new OptionError(`${where}: ${name} must be a finite number > 0, got ${String(v)}`);
  }
  return v;
}

function fanOrThrow(where: string, fan: number, shape: readonly number[]): number {
  if (fan <= 0) throw new OptionError(`${where}: shape [${shape.join(',')}] has a zero fan`);
  return fan;
}

/** Options of the Xavier/Glorot initializers. */
export interface XavierOptions {
  /** Multiplies the bound or standard deviation (default 1; PyTorch's calculate_gain). */
  gain?: number;
}

/** Xavier/Glorot uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform({ gain = 1 }: XavierOptions = {}): Initializer {
  positiveFinite('xavierUniform', 'gain', gain);
  return (shape, rng) => {
    const { fanIn, fanOut } = fans(shape);
    const a = gain * Math.sqrt(6 / fanOrThrow('xavierUniform', fanIn + fanOut, shape));
    return randomUniform(shape, rng, { lo: -a, hi: a });
  };
}

/** Xavier/Glorot normal: N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal({ gain = 1 }: XavierOptions = {}): Initializer {
  positiveFinite('xavierNormal', 'gain', gain);
  return (shape, rng) => {
    const { fanIn, fanOut } = fans(shape);
    const std = gain * Math.sqrt(2 / fanOrThrow('xavierNormal', fanIn + fanOut, shape));
    return randomNormal(shape, rng, { std });
  };
}

/** Options of the Kaiming/He initializers. */
export interface KaimingOptions {
  /** Negative slope of the (leaky/parametric) ReLU that follows (default 0: ReLU). */
  a?: number;
  /** Preserve the variance of activations ('fanIn', the default) or of gradients ('fanOut'). */
  mode?: 'fanIn' | 'fanOut';
}

function kaimingScale(where: string, shape: readonly number[], { a = 0, mode = 'fanIn' }: KaimingOptions): number {
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new OptionError(`${where}: mode must be 'fanIn' or 'fanOut', got ${String(mode)}`);
  const { fanIn, fanOut } = fans(shape);
  const gain = Math.sqrt(2 / (1 + a * a));
  return gain / Math.sqrt(fanOrThrow(where, mode === 'fanIn' ? fanIn : fanOut, shape));
}

function checkSlope(where: string, a: number | undefined): void {
  if (a !== undefined && (typeof a !== 'number' || !Number.isFinite(a))) {
    throw new OptionError(`${where}: a must be a finite number, got ${String(a)}`);
  }
}

/** Kaiming/He normal: N(0, σ²), σ = √(2 / (1 + a²)) / √fan. */
export function kaimingNormal(options: KaimingOptions = {}): Initializer {
  checkSlope('kaimingNormal', options.a);
  return (shape, rng) => randomNormal(shape, rng, { std: kaimingScale('kaimingNormal', shape, options) });
}

/** Kaiming/He uniform: U(−b, b), b = √3·σ of `kaimingNormal` (same variance). */
export function kaimingUniform(options: KaimingOptions = {}): Initializer {
  checkSlope('kaimingUniform', options.a);
  return (shape, rng) => {
    const b = Math.sqrt(3) * kaimingScale('kaimingUniform', shape, options);
    return randomUniform(shape, rng, { lo: -b, hi: b });
  };
}

/** N(mean, std²), e.g. `normal(0.01)` for the class centers of a margin head. */
export function normal(std: number, mean = 0): Initializer {
  positiveFinite('normal', 'std', std);
  if (!Number.isFinite(mean)) throw new OptionError(`normal: mean must be finite, got ${mean}`);
  return (shape, rng) => randomNormal(shape, rng, { mean, std });
}

/** Every element `value` (biases: `constant(0)`; PReLU slopes: `constant(0.25)`). */
export function constant(value: number): Initializer {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new OptionError(`constant: value must be finite, got ${String(value)}`);
  return (shape) => full(shape, value);
}
