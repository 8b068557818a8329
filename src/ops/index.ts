/**
 * THE op registry: the single list that the property tests, the docs' op table and the backends'
 * conformance suite read. An op file that is not listed here fails test/ops/registry.test.ts; an
 * op listed here is gradient-checked by test/ops/gradcheck.test.ts over every case of its domain.
 *
 * `arcgrad/ops`: every op, the registry, `defineOp` and the tape, for writing ops of your own. The
 * op functions themselves are also in the root.
 * @module arcgrad/ops
 */
import { addOp } from './add.js';
import { addScalarOp } from './add-scalar.js';
import { acosOp } from './acos.js';
import { angularMarginOp } from './angular-margin.js';
import { clampOp } from './clamp.js';
import { conv2dOp } from './conv2d.js';
import { cosOp } from './cos.js';
import { crossEntropyOp } from './cross-entropy.js';
import { divOp } from './div.js';
import { expOp } from './exp.js';
import { l2NormalizeOp } from './l2-normalize.js';
import { linearOp } from './linear.js';
import { logOp } from './log.js';
import { logSoftmaxOp } from './log-softmax.js';
import { marginHeadOp } from './margin-head.js';
import { matmulOp } from './matmul.js';
import { maxPool2dOp } from './max-pool2d.js';
import { maxRowsOp } from './max-rows.js';
import { meanOp } from './mean.js';
import { mulOp } from './mul.js';
import { negOp } from './neg.js';
import type { Op } from './op.js';
import { pickColumnsOp } from './pick-columns.js';
import { preluOp } from './prelu.js';
import { reluOp } from './relu.js';
import { replaceColumnsOp } from './replace-columns.js';
import { reshapeOp } from './reshape.js';
import { scaleOp } from './scale.js';
import { selectOp } from './select.js';
import { shiftedPowerOp } from './shifted-power.js';
import { sinOp } from './sin.js';
import { softplusOp } from './softplus.js';
import { sqrtOp } from './sqrt.js';
import { squareOp } from './square.js';
import { subOp } from './sub.js';
import { sumOp } from './sum.js';
import { takeRowsOp } from './take-rows.js';
import { transposeOp } from './transpose.js';

/** Every op, keyed by its name. */
export const opRegistry = {
  /** The op behind {@link matmul}. */
  matmul: matmulOp,
  /** The op behind {@link add}. */
  add: addOp,
  /** The op behind {@link sub}. */
  sub: subOp,
  /** The op behind {@link mul}. */
  mul: mulOp,
  /** The op behind {@link div}. */
  div: divOp,
  /** The op behind {@link neg}. */
  neg: negOp,
  /** The op behind {@link scale}. */
  scale: scaleOp,
  /** The op behind {@link addScalar}. */
  addScalar: addScalarOp,
  /** The op behind {@link exp}. */
  exp: expOp,
  /** The op behind {@link log}. */
  log: logOp,
  /** The op behind {@link sqrt}. */
  sqrt: sqrtOp,
  /** The op behind {@link square}. */
  square: squareOp,
  /** The op behind {@link sum}. */
  sum: sumOp,
  /** The op behind {@link mean}. */
  mean: meanOp,
  /** The op behind {@link maxRows}. */
  maxRows: maxRowsOp,
  /** The op behind {@link l2Normalize}. */
  l2Normalize: l2NormalizeOp,
  /** The op behind {@link cos}. */
  cos: cosOp,
  /** The op behind {@link sin}. */
  sin: sinOp,
  /** The op behind {@link acos}. */
  acos: acosOp,
  /** The op behind {@link clamp}. */
  clamp: clampOp,
  /** The op behind {@link pickColumns}. */
  pickColumns: pickColumnsOp,
  /** The op behind {@link replaceColumns}. */
  replaceColumns: replaceColumnsOp,
  /** The op behind {@link logSoftmax}. */
  logSoftmax: logSoftmaxOp,
  /** The op behind {@link crossEntropy}. */
  crossEntropy: crossEntropyOp,
  /** The op behind {@link relu}. */
  relu: reluOp,
  /** The op behind {@link prelu}. */
  prelu: preluOp,
  /** The op behind {@link linear}. */
  linear: linearOp,
  /** The op behind {@link select}. */
  select: selectOp,
  /** The op behind {@link takeRows}. */
  takeRows: takeRowsOp,
  /** The op behind {@link transpose}. */
  transpose: transposeOp,
  /** The op behind {@link reshape}. */
  reshape: reshapeOp,
  /** The op behind {@link angularMargin}. */
  angularMargin: angularMarginOp,
  /** The op behind {@link marginHead}. */
  marginHead: marginHeadOp,
  /** The op behind {@link softplus}. */
  softplus: softplusOp,
  /** The op behind {@link shiftedPower}. */
  shiftedPower: shiftedPowerOp,
  /** The op behind {@link conv2d}. */
  conv2d: conv2dOp,
  /** The op behind {@link maxPool2d}. */
  maxPool2d: maxPool2dOp,
} as const satisfies Record<string, Op>;

/** The name of a registered op. */
export type OpName = keyof typeof opRegistry;

/** The registered ops as a list. */
export const allOps: readonly Op[] = Object.values(opRegistry);

export { add } from './add.js';
export { addScalar } from './add-scalar.js';
export { acos } from './acos.js';
export { angularMargin, FALLBACK_POLICIES, type AngularMarginOptions, type FallbackPolicy } from './angular-margin.js';
export { clamp } from './clamp.js';
export { conv2d, type Conv2dOptions } from './conv2d.js';
export { cos } from './cos.js';
export { crossEntropy } from './cross-entropy.js';
export { div } from './div.js';
export { exp } from './exp.js';
export { l2Normalize } from './l2-normalize.js';
export { linear } from './linear.js';
export { log } from './log.js';
export { logSoftmax } from './log-softmax.js';
export { marginHead, type MarginHeadAttrs } from './margin-head.js';
export { matmul, type MatmulOptions } from './matmul.js';
export { maxPool2d, type MaxPool2dOptions } from './max-pool2d.js';
export { maxRows } from './max-rows.js';
export { mean } from './mean.js';
export { mul } from './mul.js';
export { neg } from './neg.js';
export { pickColumns } from './pick-columns.js';
export { prelu } from './prelu.js';
export { relu } from './relu.js';
export { replaceColumns } from './replace-columns.js';
export { reshape } from './reshape.js';
export { scale } from './scale.js';
export { select } from './select.js';
export { shiftedPower } from './shifted-power.js';
export { softplus } from './softplus.js';
export { sin } from './sin.js';
export { sqrt } from './sqrt.js';
export { square } from './square.js';
export { sub } from './sub.js';
export { sum, type AxisOptions } from './sum.js';
export { takeRows } from './take-rows.js';
export { transpose } from './transpose.js';
export type { Labels } from './_labels.js';
export type { AttrDomain, DomainCase, InputDomain, Op, OpDefinition } from './op.js';
export { defineOp } from './op.js';
export { Tape, checks, type TapeNode } from '../tape/tape.js';
