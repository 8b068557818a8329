/**
 * arcgrad: a reverse-mode autodiff micro-framework for the angular-margin softmax losses of deep
 * face recognition. This file is the root of the public API: what a user needs to compute, check
 * and train a margin loss. The rest is in named subpaths, each a complete area:
 * `arcgrad/ops` (the op registry, `defineOp`, the tape), `arcgrad/losses` (the margin head's
 * building blocks), `arcgrad/margins`, `arcgrad/nn` (initializers, parameter records),
 * `arcgrad/optim`, `arcgrad/train` (checkpoint encoding), `arcgrad/eval`,
 * `arcgrad/check`, `arcgrad/backends` (`selectBackend('auto' | 'wasm' | 'gpu.js:webgpu' | …)`,
 * the gpu.js backend: its GPU modes need the optional packages gpu.js and webgpu), and the
 * Node-only areas that need optional packages: `arcgrad/data` (mnist), `arcgrad/report`
 * (vega, vega-lite).
 *
 * Layers, each importing only from those before it:
 * tensor → backend → tape → ops → losses → nn / optim → train → cli.
 * @module arcgrad
 */
// Tensors and errors
export { ArcgradError, BackendUnavailableError, DTypeError, DomainError, LabelError, MissingExtraError, OptionError, ShapeError, TapeError } from './tensor/errors.js';
export { DTYPES, type DType, type TypedArray } from './tensor/dtype.js';
export { Tensor } from './tensor/tensor.js';
export { Random } from './tensor/random.js';
export { full, ones, onesLike, randomNormal, randomUniform, scalar, tensor, zeros, zerosLike, type CreateOptions, type TensorLike } from './tensor/create.js';
export { EXTRAS, type Extra, type ExtraName } from './tensor/extras.js';
// Backends
export type { Backend, BinaryFn, ScalarKernel, UnaryFn } from './backend/backend.js';
export { CpuBackend, cpu } from './backend/cpu.js';
export { getBackend, setBackend, withBackend } from './backend/registry.js';
// Autodiff
export { grad, valueAndGrad, vjp, type TensorFunction, type ValueAndGrad } from './tape/grad.js';
export { stopGradient, straightThrough } from './tape/surgery.js';
export { gradcheck, type GradcheckInputResult, type GradcheckOptions, type GradcheckResult } from './tape/gradcheck.js';
// Ops (the registry, defineOp and the tape: arcgrad/ops)
export {
  acos, add, addScalar, angularMargin, clamp, conv2d, cos, crossEntropy, div, exp, l2Normalize, linear, log, logSoftmax, matmul, maxPool2d, maxRows, mean, mul, neg,
  pickColumns, prelu, relu, replaceColumns, reshape, scale, select, sin, sqrt, square, sub, sum, takeRows, transpose,
  FALLBACK_POLICIES, type AngularMarginOptions, type AxisOptions, type Conv2dOptions, type FallbackPolicy, type Labels, type MatmulOptions, type MaxPool2dOptions,
} from './ops/index.js';
// Losses and margins (the margin head's building blocks: arcgrad/losses)
export { GRADIENT_MODES, type GradientMode, type MarginOptions } from './losses/options.js';
export { marginLoss, targetLogit } from './losses/margin-head.js';
export {
  arcface, combined, combinedMargin, cosface, marginPresets, normface, softmaxLoss, sphereface,
  type MarginLossHead, type MarginPresetName, type PresetOverrides,
} from './losses/presets.js';
export { SPHEREFACE_LAMBDA, sphereFaceLambda, type LambdaSchedule } from './losses/sphereface-lambda.js';
export { sampleClassCenters, sampledMarginLoss, type ClassSample } from './losses/class-sampling.js';
export { interLoss, intraLoss } from './losses/intra-inter.js';
export { angularTripletLoss } from './losses/angular-triplet.js';
export { subCenterArcFaceLoss } from './losses/sub-center.js';
export { sphereFace2Loss, type SphereFace2Options } from './losses/sphereface2.js';
export {
  UnknownMarginError, defineMargin, getMargin, registerMargin, registeredMargins,
  type DefinedMargin, type DefinedMarginHead, type MarginContext, type MarginDefinition, type MarginParams,
} from './losses/define-margin.js';
export { fastMarginHead, type FastHeadOptions, type FastHeadResult, type FastHeadTensors } from './losses/fast-margin-head.js';
export { shutdownFastPool } from './backend/wasm/pool.js';
export * from './margins/index.js';
// Modules and optimizers (initializers and parameter records: arcgrad/nn)
export { valueAndGradParams, type Params, type ParamsValueAndGrad, type State } from './nn/params.js';
export type { ApplyOptions, ApplyResult, Module, Variables } from './nn/module.js';
export { Linear, type LinearOptions } from './nn/linear.js';
export { PReLU, ReLU, type PReLUOptions } from './nn/activation.js';
export { BatchNorm1d, type BatchNormOptions } from './nn/batch-norm.js';
export { MLP, type MLPOptions } from './nn/mlp.js';
export { ConvNet, type ConvNetOptions } from './nn/convnet.js';
export * from './optim/index.js';
// Training (checkpoint encoding: arcgrad/train)
export { CheckpointError, loadCheckpoint, saveCheckpoint, type Checkpoint, type SaveOptions } from './train/checkpoint.js';
export { train, type CheckpointOptions, type Progress, type TrainData, type TrainOptions, type TrainResult } from './train/loop.js';
export { ProgressBar, trainProgress, type ProgressBarOptions, type ProgressStream } from './cli/progress.js';
// Evaluation (pairs, folds and ROC helpers: arcgrad/eval)
export {
  closedSetAccuracy, evaluateVerification, roc, rocAuc, tarAtFar, tenFoldAccuracy,
  type ClosedSetResult, type EvaluateVerificationOptions, type Roc, type TenFoldResult, type VerificationReport,
} from './eval/verification.js';
// Checking another implementation (tolerances and the pieces of a case: arcgrad/check)
export { CaseFileError, emitCases, parseCaseFile, runCase, type CaseResult, type CheckCase, type CheckOptions } from './check/cases.js';
// Test-suite reliability (issue 14): the one tolerance rule that tests, `arcgrad check` and `arcgrad reliability` compare with.
export { FLOAT32_MIN_NORMAL, UNIT_ROUNDOFF, acosCondition, relativeError, roundingError, tolerance, withinTolerance, type FloorInputs, type Tolerance } from './check/tolerance.js';

// ── wasm: the float32 WebAssembly SIMD backend, the default training backend, the head's shared target (issue 18) ──
export { WasmBackend, wasmBackend, type WasmBackendOptions } from './backend/wasm/backend.js';
export { wasmMarginHeadArrays, type WasmHeadArrays, type WasmHeadOptions } from './backend/wasm/head.js';
// defaultBackend: in arcgrad/backends with the rest of the backend choice (it loads gpu.js's modules).
export { targetAndSlope, type TargetAndSlope } from './backend/head.js';

// The open-set protocol at scale, beside evaluateVerification (its pieces, the all-pairs pass and
// paired differences: arcgrad/eval; the glyphs data set is Node-only: arcgrad/data).
export { evaluateOpenSet, type OpenSetOptions, type OpenSetReport, type OpenSetSample } from './eval/open-set.js';
