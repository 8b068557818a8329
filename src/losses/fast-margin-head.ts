/**
 * fastMarginHead: the margin head's loss and both gradients from the wasm backend's fused head
 * (src/backend/wasm/head.ts), for options as the losses take them. This file only translates:
 * options → `HeadSpec` (`headSpec`, shared with every fused head), labels checked against N and C;
 * the kernels, the byte layout and the threads live in the backend layer. The tape through
 * `marginLoss` on the CPU reference is its oracle (test/losses/fast-margin-head.test.ts).
 */
import { cpu } from '../backend/cpu.js';
import { wasmMarginHeadArrays, type WasmHeadArrays, type WasmHeadOptions } from '../backend/wasm/head.js';
import { toLabels, type Labels } from '../ops/_labels.js';
import type { Tensor } from '../tensor/tensor.js';
import { headSpec } from './fused-head.js';
import { checkHeadInputs } from './margin-head.js';
import type { MarginOptions } from './options.js';

/** How the fast path runs (not what it computes): threads (default 'auto' = min(2, cores)) and classes per chunk. */
export type FastHeadOptions = WasmHeadOptions;

/** Loss and gradients of the margin head, float32 arrays. */
export type FastHeadResult = WasmHeadArrays;

/**
 * The margin head on flat arrays: X (N×d), W (C×d), labels (−1 = ignored row). Validates the
 * options and labels as marginLoss does (OptionError, LabelError), the sizes (ShapeError) and that
 * every row of X and W has a finite norm (DomainError); the arrays are read, never written.
 */
export function fastMarginHeadArrays(
  x: ArrayLike<number>, w: ArrayLike<number>, labels: Labels, n: number, d: number, c: number,
  options: MarginOptions, fast: FastHeadOptions = {},
): FastHeadResult {
  const spec = headSpec(options, 'fastMarginHead');
  const lab = Number.isInteger(n) && n >= 1 && Number.isInteger(c) && c >= 1 ? toLabels('fastMarginHead', labels, n, c) : new Int32Array(0);
  return wasmMarginHeadArrays(x, w, lab, n, d, c, spec, fast);
}

/** Loss and gradients of the margin head as float32 tensors on the CPU backend. */
export interface FastHeadTensors {
  /** The loss: the mean over the rows whose label is not −1. */
  loss: number;
  /** ∂L/∂X, [N, d]. */
  dX: Tensor;
  /** ∂L/∂W, [C, d]. */
  dW: Tensor;
}

/**
 * The margin head's loss and gradients for tensors X [N,d] and W [C,d] (any dtype; computed in
 * float32), as float32 tensors on the CPU backend: the fused counterpart of
 * `valueAndGrad((x, w) => marginLoss(x, w, labels, options))`.
 */
export function fastMarginHead(
  x: Tensor, w: Tensor, labels: Labels, options: MarginOptions, fast: FastHeadOptions = {},
): FastHeadTensors {
  const y = checkHeadInputs('fastMarginHead', x, w, labels);
  const [n, d] = x.shape;
  const c = w.shape[0];
  const r = fastMarginHeadArrays(x.toTypedArray(), w.toTypedArray(), y, n, d, c, options, fast);
  return { loss: r.loss, dX: cpu.fromArray(r.dX, [n, d], 'float32'), dW: cpu.fromArray(r.dW, [c, d], 'float32') };
}
