/**
 * Typed errors. Every failure arcgrad reports on purpose is one of these, so that callers can
 * tell a bad input (their fault, fixable) from a bug (ours). Each message names the op (or the
 * function) and the offending shapes or values.
 */

/** Base class of every error arcgrad throws on purpose. `code` is stable; messages may improve. */
export class ArcgradError extends Error {
  /** A stable machine-readable code, e.g. `'shape'`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Shapes that do not fit the op: `matmul: a is [2,3] but b is [4,5] …`. */
export class ShapeError extends ArcgradError {
  constructor(message: string) {
    super('shape', message);
  }
}

/** Mixing float32 and float64 tensors, or a dtype the backend cannot hold. */
export class DTypeError extends ArcgradError {
  constructor(message: string) {
    super('dtype', message);
  }
}

/** A value outside the op's domain: NaN or ±Inf where finite numbers are needed, acos of 1.5, … */
export class DomainError extends ArcgradError {
  constructor(message: string) {
    super('domain', message);
  }
}

/** Class labels that are not integers, or outside [0, C) (−1, "ignore this row", aside). */
export class LabelError extends ArcgradError {
  constructor(message: string) {
    super('label', message);
  }
}

/** Misuse of the autodiff machinery: backward from a non-scalar without a seed, and so on. */
export class TapeError extends ArcgradError {
  constructor(message: string) {
    super('tape', message);
  }
}

/** A backend that was asked for explicitly but cannot run here (no adapter, missing package, …). */
export class BackendUnavailableError extends ArcgradError {
  constructor(message: string) {
    super('backend-unavailable', message);
  }
}

/** An option with a wrong type or value (a margin that is not a number, an unknown policy, …). */
export class OptionError extends ArcgradError {
  constructor(message: string) {
    super('option', message);
  }
}

/** Formats a shape as `[2,3]` for messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * An optional package (an "extra": gpu.js and webgpu, vega and vega-lite, mnist, …) that the
 * caller needs is not installed. The message is one line that names the command installing it.
 */
export class MissingExtraError extends ArcgradError {
  /** The extra that is missing, e.g. `'figures'`. */
  readonly extra: string;
  /** The shell command that installs it, e.g. `npm install vega vega-lite`. */
  readonly install: string;
  constructor(extra: string, install: string, message: string) {
    super('missing-extra', message);
    this.extra = extra;
    this.install = install;
  }
}
