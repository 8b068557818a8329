/**
 * `defineOp`: how every op is built. An op is its forward computation, its hand-derived
 * vector-Jacobian product (VJP) and its valid input domain, declared together in one file.
 * `defineOp` adds what every op needs and no op should write again: argument checks (tensors,
 * one dtype, one backend, finite values), the finiteness check of the result, and recording on
 * the tape.
 *
 * The VJP receives the inputs, the output y and the cotangent dy = ∂L/∂y, and returns one thunk
 * per input computing ∂L/∂input; the tape calls only the thunks it needs (an input that is a
 * constant costs nothing). Non-differentiable arguments (labels, bounds, flags) are attributes,
 * not inputs: they get no gradient.
 */
import type { Backend } from '../backend/backend.js';
import { DTypeError, DomainError } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { activeTapes, assertTensor, checks, recordNode } from '../tape/tape.js';

/** The values one tensor input may take, as plain data (the tests turn it into generators). */
export interface InputDomain {
  /** Dimensions by symbol (shared between inputs of one case) or literal number: ['n', 'c']. */
  readonly shape: readonly (string | number)[];
  /** Smallest value drawn (default −2). */
  readonly min?: number;
  /** Largest value drawn (default 2). */
  readonly max?: number;
  /** Points where the op is not differentiable (kinks); values keep `gap` away from them. */
  readonly awayFrom?: readonly number[];
  /** Distance kept from `awayFrom` and between the entries of a row when `distinctInRows`. */
  readonly gap?: number;
  /** Each row's Euclidean norm is at least this (l2-normalize is not smooth at 0). */
  readonly rowNormAtLeast?: number;
  /** Entries of a row differ by at least `gap` (the row maximum is not smooth at ties). */
  readonly distinctInRows?: boolean;
}

/** The values one attribute may take, as plain data. */
export type AttrDomain =
  /** Always `value`. */
  | {
      /** Discriminant. */ readonly kind: 'const';
      /** The value. */ readonly value: unknown;
    }
  /** One of `values`. */
  | {
      /** Discriminant. */ readonly kind: 'oneOf';
      /** The choices. */ readonly values: readonly unknown[];
    }
  /** A number in [min, max]. */
  | {
      /** Discriminant. */ readonly kind: 'number';
      /** Smallest value drawn. */ readonly min: number;
      /** Largest value drawn. */ readonly max: number;
    }
  /** One integer label per row in [0, classes); `ignore` adds rows labelled −1. */
  | {
      /** Discriminant. */ readonly kind: 'labels';
      /** Dimension symbol of the number of rows. */ readonly rows: string;
      /** Dimension symbol of the number of classes. */ readonly classes: string;
      /** Also draw rows labelled −1. */ readonly ignore?: boolean;
    }
  /** `count` row indices into `rows` rows, repeats allowed. */
  | {
      /** Discriminant. */ readonly kind: 'rowIndex';
      /** Dimension symbol of the number of indices. */ readonly count: string;
      /** Dimension symbol of the number of rows indexed. */ readonly rows: string;
    }
  /** A constant 0/1 tensor shaped like the input `like`. */
  | {
      /** Discriminant. */ readonly kind: 'mask';
      /** Name of the input whose shape the mask takes. */ readonly like: string;
    }
  /** The flat shape [size] of the input `of`. */
  | {
      /** Discriminant. */ readonly kind: 'flatShapeOf';
      /** Name of the input to flatten. */ readonly of: string;
    };

/** One family of valid inputs: dimension ranges, per-input value domains, attribute domains. */
export interface DomainCase<I extends string> {
  /** Names the case in test output ('transB', 'row broadcast', …). */
  readonly name: string;
  /** Range [lo, hi] of each dimension symbol (default [1, 4]). */
  readonly dims?: Readonly<Record<string, readonly [number, number]>>;
  /** Domain of each tensor input. */
  readonly inputs: Readonly<Record<I, InputDomain>>;
  /** Domain of each attribute. */
  readonly attrs?: Readonly<Record<string, AttrDomain>>;
}

/** Everything that defines an op. */
export interface OpDefinition<I extends string, A> {
  /** The op's name: equals its exported function's name. */
  readonly name: string;
  /** One line for the docs' op table. */
  readonly summary: string;
  /** Where the derivation is written out in the docs (the op file carries the short form). */
  readonly docs: string;
  /** The tensor inputs, in order. */
  readonly inputs: readonly I[];
  /** The valid input domain, as data: what the property tests draw from. */
  readonly domain: readonly DomainCase<I>[];
  /** Shape and value checks beyond the generic ones; throw a typed error naming the op. */
  readonly validate?: (x: Readonly<Record<I, Tensor>>, attrs: A) => void;
  /** y = f(x). */
  readonly forward: (b: Backend, x: Readonly<Record<I, Tensor>>, attrs: A) => Tensor;
  /** One thunk per input computing dyᵀ·∂y/∂input. */
  readonly vjp: (
    b: Backend,
    x: Readonly<Record<I, Tensor>>,
    y: Tensor,
    dy: Tensor,
    attrs: A,
  ) => Readonly<Partial<Record<I, () => Tensor>>>;
}

/** A defined op: its definition plus `apply`. */
export interface Op<I extends string = string, A = any> extends OpDefinition<I, A> {
  /** Checks the arguments, runs forward, checks the result and records on the active tapes. */
  apply(x: Readonly<Record<I, Tensor>>, attrs: A): Tensor;
}

/** Builds an op from its definition (see the file header for what it adds). */
export function defineOp<I extends string, A = Record<string, never>>(def: OpDefinition<I, A>): Op<I, A> {
  const apply = (x: Readonly<Record<I, Tensor>>, attrs: A): Tensor => {
    let first: Tensor | undefined;
    for (const name of def.inputs) {
      const t = x[name];
      assertTensor(t, `${def.name}: input '${name}'`);
      if (first === undefined) first = t;
      else if (t.dtype !== first.dtype) {
        throw new DTypeError(
          `${def.name}: input '${name}' is ${t.dtype} but '${def.inputs[0]}' is ${first.dtype}; cast one of them`,
        );
      } else if (t.backend !== first.backend) {
        throw new DTypeError(
          `${def.name}: input '${name}' lives on ${t.backend.name} but '${def.inputs[0]}' on ${first.backend.name}`,
        );
      }
      if (checks.finite && !t.backend.allFinite(t)) {
        throw new DomainError(`${def.name}: input '${name}' contains NaN or ±Inf`);
      }
    }
    def.validate?.(x, attrs);
    const b = (first as Tensor).backend;
    const y = def.forward(b, x, attrs);
    if (checks.finite && !b.allFinite(y)) {
      throw new DomainError(`${def.name}: the result is not finite (overflow, or an input outside the domain)`);
    }
    if (activeTapes().length > 0) {
      recordNode({
        op: def.name,
        inputs: def.inputs.map((name) => [name, x[name]] as const),
        output: y,
        vjp: (dy) => def.vjp(b, x, y, dy, attrs),
      });
    }
    return y;
  };
  return { ...def, apply };
}
