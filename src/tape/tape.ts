/**
 * The reverse-mode tape. While a function runs under `valueAndGrad`, every op whose inputs depend
 * on a watched tensor appends one node to the tape. The tape is therefore already in topological
 * (execution) order, and backward is one loop over it in reverse: no recursion, no sort, and no
 * gradient stored on tensors. Gradients are keyed by tensor identity and accumulate by addition,
 * which is what fan-out (one tensor used twice) requires.
 *
 * Vector-Jacobian products are computed with backend primitives, not with recorded ops, so the
 * backward pass records nothing: arcgrad computes first derivatives only.
 */
import type { Backend } from '../backend/backend.js';
import { DomainError, ShapeError, TapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';

/** One recorded op application: which op, its tensor inputs, its output, and how to pull back. */
export interface TapeNode {
  /** The op's name, for error messages. */
  readonly op: string;
  /** The op's tensor inputs, by name, in declaration order. */
  readonly inputs: readonly (readonly [string, Tensor])[];
  /** The op's output. */
  readonly output: Tensor;
  /** Given dL/d(output), returns a thunk per input that computes dL/d(input). */
  readonly vjp: (dy: Tensor) => Readonly<Record<string, (() => Tensor) | undefined>>;
}

/** A recording of the ops that depend on watched tensors. */
export class Tape {
  /** The recorded nodes, in execution order. */
  readonly nodes: TapeNode[] = [];
  private readonly watched = new Set<number>();

  /** Marks `t` as an input that gradients are wanted for. */
  watch(t: Tensor): void {
    this.watched.add(t.id);
  }

  /** True when `t` is watched or was computed from a watched tensor. */
  isWatched(t: Tensor): boolean {
    return this.watched.has(t.id);
  }

  /** Appends `node` when one of its inputs is watched; its output is then watched too. */
  record(node: TapeNode): void {
    if (node.inputs.some(([, t]) => this.watched.has(t.id))) {
      this.nodes.push(node);
      this.watched.add(node.output.id);
    }
  }

  /**
   * Gradients of `⟨seed, output⟩` with respect to each of `inputs`, by one reverse walk.
   * Inputs that do not reach `output` get zeros.
   */
  backward(output: Tensor, inputs: readonly Tensor[], seed: Tensor): Tensor[] {
    if (seed.shape.length !== output.shape.length || seed.shape.some((d, i) => d !== output.shape[i])) {
      throw new ShapeError(
        `backward: the seed has shape ${formatShape(seed.shape)} but the output has ${formatShape(output.shape)}`,
      );
    }
    const b: Backend = output.backend;
    const keep = new Set(inputs.map((t) => t.id));
    const grads = new Map<number, Tensor>([[output.id, seed]]);

    // Walk the tape backwards: each node's output gradient is complete once every later node
    // (every consumer of that output) has been visited.
    for (let k = this.nodes.length - 1; k >= 0; k--) {
      const node = this.nodes[k];
      const dy = grads.get(node.output.id);
      if (dy === undefined) continue; // this node does not lead to the output
      if (!keep.has(node.output.id)) grads.delete(node.output.id); // free what is no longer needed
      const pullbacks = node.vjp(dy);
      for (const [name, x] of node.inputs) {
        if (!this.watched.has(x.id)) continue; // a constant: no gradient wanted
        const pull = pullbacks[name];
        if (pull === undefined) continue; // the op declares no gradient for this input
        const dx = pull();
        checkGradient(node.op, name, dx, x);
        const previous = grads.get(x.id);
        grads.set(x.id, previous === undefined ? dx : b.binary('add', previous, dx));
      }
    }
    return inputs.map((x) => grads.get(x.id) ?? b.fill(x.shape, 0, x.dtype));
  }
}

/** tfjs-style check on every gradient as it flows: right shape, and finite. */
function checkGradient(op: string, input: string, dx: Tensor, x: Tensor): void {
  if (dx.shape.length !== x.shape.length || dx.shape.some((d, i) => d !== x.shape[i])) {
    throw new ShapeError(
      `${op}: the gradient of input '${input}' has shape ${formatShape(dx.shape)}, ` +
        `which does not match the input's shape ${formatShape(x.shape)} (a bug in the op's VJP)`,
    );
  }
  if (checks.finite && !dx.backend.allFinite(dx)) {
    throw new DomainError(`${op}: the gradient of input '${input}' is not finite (NaN or ±Inf)`);
  }
}

/** Global switches for the checks ops and the tape run on every tensor they produce. */
export const checks = {
  /** Throw a DomainError on NaN or ±Inf in any op output or gradient (default on). */
  finite: true,
};

const active: Tape[] = [];

/** The tapes currently recording (innermost last). Ops record onto every one of them. */
export function activeTapes(): readonly Tape[] {
  return active;
}

/** Runs `f` with `tape` recording, then stops recording whatever `f` did (or threw). */
export function recordOn<T>(tape: Tape, f: () => T): T {
  active.push(tape);
  try {
    return f();
  } finally {
    active.splice(active.lastIndexOf(tape), 1);
  }
}

/**
 * Runs `f` with no tape recording (the enclosing tapes resume afterwards): for an op whose forward
 * differentiates a composition of its own (a custom VJP's reference), whose inner ops must not
 * land on the tapes that record the op itself.
 */
export function withoutRecording<T>(f: () => T): T {
  const saved = active.splice(0);
  try {
    return f();
  } finally {
    active.unshift(...saved);
  }
}

/** Appends `node` to every active tape that watches one of its inputs. */
export function recordNode(node: TapeNode): void {
  for (const tape of active) tape.record(node);
}

/** Throws unless `t` is a tensor; names the function and the argument. */
export function assertTensor(t: unknown, where: string): asserts t is Tensor {
  if (t === null || typeof t !== 'object' || !('handle' in t) || !('backend' in t)) {
    throw new TapeError(`${where}: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
  }
}
