/**
 * Turns an op's domain (plain data in src/ops/*.ts) into fast-check arbitraries of concrete
 * samples: dimensions, then values for each tensor input, then attributes. The value constraints
 * (awayFrom, rowNormAtLeast, distinctInRows) are enforced by small deterministic repairs of the
 * drawn values, so shrinking still works.
 */
import fc from 'fast-check';
import type { AttrDomain, DomainCase, InputDomain, Op } from '../../src/ops/op.js';
import { cpu } from '../../src/backend/cpu.js';
import type { DType } from '../../src/tensor/dtype.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/**
 * Numbers spread evenly over [min, max] (fc.double favours subnormals and bounds, which say
 * little about a derivative); shrinking moves them towards the middle of the interval.
 */
export function uniformIn(min: number, max: number): fc.Arbitrary<number> {
  const steps = 1 << 20;
  return fc.integer({ min: -steps, max: steps }).map((k) => min + ((max - min) * (k + steps)) / (2 * steps));
}

/** A concrete draw from a domain case: dims, flat values per input, attributes. */
export interface Sample {
  dims: Record<string, number>;
  values: Record<string, { shape: number[]; data: number[] }>;
  attrs: Record<string, unknown>;
}

/** The dimension symbols a case uses, in its inputs' shapes and its attributes. */
export function symbolsOf(c: DomainCase<string>): string[] {
  const names = new Set<string>();
  for (const d of Object.values<InputDomain>(c.inputs)) for (const s of d.shape) if (typeof s === 'string') names.add(s);
  for (const a of Object.values<AttrDomain>(c.attrs ?? {})) {
    if (a.kind === 'labels') names.add(a.rows).add(a.classes);
    if (a.kind === 'rowIndex') names.add(a.count).add(a.rows);
  }
  return [...names];
}

/** Pushes values out of the gap around each kink, enforces row norms and distinct row entries. */
export function repair(domain: InputDomain, shape: number[], data: number[]): number[] {
  const gap = domain.gap ?? 0.01;
  const out = data.slice();
  for (const p of domain.awayFrom ?? []) {
    for (let i = 0; i < out.length; i++) {
      if (Math.abs(out[i] - p) < gap) out[i] = out[i] >= p ? p + gap : p - gap;
    }
  }
  const rows = shape.length === 2 ? shape[0] : 1;
  const cols = shape.length === 2 ? shape[1] : out.length;
  if (domain.distinctInRows) {
    for (let r = 0; r < rows; r++) {
      const idx = Array.from({ length: cols }, (_, j) => r * cols + j).sort((a, b) => out[a] - out[b]);
      for (let k = 1; k < idx.length; k++) {
        if (out[idx[k]] < out[idx[k - 1]] + gap) out[idx[k]] = out[idx[k - 1]] + gap;
      }
    }
  }
  if (domain.rowNormAtLeast !== undefined && cols > 0) {
    for (let r = 0; r < rows; r++) {
      let norm = 0;
      for (let j = 0; j < cols; j++) norm += out[r * cols + j] ** 2;
      if (Math.sqrt(norm) < domain.rowNormAtLeast) out[r * cols] = domain.rowNormAtLeast + 0.5;
    }
  }
  return out;
}

function attrArbitrary(a: AttrDomain, dims: Record<string, number>, shapes: Record<string, number[]>): fc.Arbitrary<unknown> {
  switch (a.kind) {
    case 'const':
      return fc.constant(a.value);
    case 'oneOf':
      return fc.constantFrom(...a.values);
    case 'number':
      return uniformIn(a.min, a.max);
    case 'labels':
      return fc.array(fc.integer({ min: a.ignore ? -1 : 0, max: dims[a.classes] - 1 }), {
        minLength: dims[a.rows],
        maxLength: dims[a.rows],
      });
    case 'rowIndex':
      if (dims[a.count] === 0) return fc.constant([]); // no indices (and perhaps no rows to index)
      return fc.array(fc.integer({ min: 0, max: dims[a.rows] - 1 }), { minLength: dims[a.count], maxLength: dims[a.count] });
    case 'mask': {
      const shape = shapes[a.like];
      const size = shape.reduce((p, d) => p * d, 1);
      return fc.array(fc.constantFrom(0, 1), { minLength: size, maxLength: size }).map((m) => cpu.fromArray(m, shape, 'float64'));
    }
    case 'flatShapeOf':
      return fc.constant([shapes[a.of].reduce((p, d) => p * d, 1)]);
  }
}

/** Samples of one domain case. */
export function sampleArbitrary(c: DomainCase<string>): fc.Arbitrary<Sample> {
  const dimArbs: Record<string, fc.Arbitrary<number>> = {};
  for (const s of symbolsOf(c)) {
    const [lo, hi] = c.dims?.[s] ?? [1, 4];
    dimArbs[s] = fc.integer({ min: lo, max: hi });
  }
  return fc.record(dimArbs).chain((dims) => {
    const shapes: Record<string, number[]> = {};
    const valueArbs: Record<string, fc.Arbitrary<{ shape: number[]; data: number[] }>> = {};
    for (const [name, d] of Object.entries<InputDomain>(c.inputs)) {
      const shape = d.shape.map((s) => (typeof s === 'number' ? s : dims[s]));
      shapes[name] = shape;
      const size = shape.reduce((p, q) => p * q, 1);
      valueArbs[name] = fc
        .array(uniformIn(d.min ?? -2, d.max ?? 2), { minLength: size, maxLength: size })
        .map((data) => ({ shape, data: repair(d, shape, data) }));
    }
    const attrArbs: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, a] of Object.entries<AttrDomain>(c.attrs ?? {})) attrArbs[name] = attrArbitrary(a, dims, shapes);
    return fc.record({ dims: fc.constant(dims), values: fc.record(valueArbs), attrs: fc.record(attrArbs) });
  });
}

/** The sample's inputs as CPU tensors of `dtype`. */
export function sampleTensors(s: Sample, dtype: DType = 'float64'): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, v] of Object.entries(s.values)) out[name] = cpu.fromArray(v.data, v.shape, dtype);
  return out;
}

/**
 * One sample of a case with every dimension symbol fixed: `dims[s]` where given, else `fallback`
 * (e.g. all 2, or one of them 0), drawn deterministically from `seed`.
 */
export function sampleWithDims(
  c: DomainCase<string>,
  dims: Readonly<Record<string, number>>,
  fallback: number,
  seed = 1,
): Sample {
  const fixed = Object.fromEntries(symbolsOf(c).map((s) => [s, [dims[s] ?? fallback, dims[s] ?? fallback] as const]));
  return fc.sample(sampleArbitrary({ ...c, dims: fixed }), { numRuns: 1, seed })[0];
}

/** Applies `op` to the named tensors and the sample's attributes. */
export function applyOp(op: Op, inputs: Readonly<Record<string, Tensor>>, attrs: Readonly<Record<string, unknown>>): Tensor {
  return op.apply(Object.fromEntries(op.inputs.map((n) => [n, inputs[n]])), attrs);
}
