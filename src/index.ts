/**
 * arcgrad: a reverse-mode autodiff micro-framework for the angular-margin softmax losses of deep
 * face recognition. This file is the public API; everything exported here is documented.
 *
 * Layers, each importing only from those before it:
 * tensor → backend → tape → ops → losses → nn / optim → train → cli.
 */
export { ArcgradError, BackendUnavailableError, DTypeError, DomainError, LabelError, OptionError, ShapeError, TapeError } from './tensor/errors.js';
export { DTYPES, type DType, type TypedArray } from './tensor/dtype.js';
export { Tensor } from './tensor/tensor.js';
export { Random } from './tensor/random.js';
export { full, ones, onesLike, randomNormal, randomUniform, scalar, tensor, zeros, zerosLike, type CreateOptions, type TensorLike } from './tensor/create.js';
export type { Backend, BinaryFn, ScalarKernel, UnaryFn } from './backend/backend.js';
export { CpuBackend, cpu } from './backend/cpu.js';
export { getBackend, setBackend, withBackend } from './backend/registry.js';
export { Tape, checks, type TapeNode } from './tape/tape.js';
export { grad, valueAndGrad, vjp, type TensorFunction, type ValueAndGrad } from './tape/grad.js';
export { stopGradient, straightThrough } from './tape/surgery.js';
export { gradcheck, type GradcheckInputResult, type GradcheckOptions, type GradcheckResult } from './tape/gradcheck.js';
export * from './ops/index.js';
export { GpujsBackend } from './backend/gpujs/gpujs-backend.js';
export { DeviceLostError, KernelError } from './backend/gpujs/errors.js';
export { BACKEND_NAMES, createBackend, selectBackend, type BackendName, type Selection } from './backend/select.js';
export { BACKEND_OPTION_HELP, backendFromOption, type BackendChoice } from './backend/select.js';
export type { GpujsMode } from './backend/gpujs/runtime.js';
export type { FusedMarginHead, HeadResult, HeadSpec, HeadTarget } from './backend/head.js';
export { GpujsMarginHead, type HeadArrays, type HeadStepOptions } from './backend/gpujs/head.js';
export type { HeadDims } from './backend/gpujs/head-plan.js';
export { probeWebGpu, type WebGpuProbe } from './backend/gpujs/webgpu-probe.js';
export * from './losses/index.js';
export * from './margins/index.js';
export {
  KNOWN_DIGITS,
  MNIST_PIXELS,
  MNIST_SIDE,
  QUICK_PER_DIGIT,
  UNSEEN_DIGITS,
  mnistBytes,
  openSetMnist,
  type ImageSet,
  type OpenSetMnist,
  type OpenSetMnistOptions,
  type PixelScaling,
} from './data/mnist.js';
export {
  INSIGHTFACE_COSINE_THRESHOLDS,
  classCenters,
  closedSetAccuracy,
  cosineScores,
  evaluateVerification,
  kFoldRanges,
  makePairs,
  meanStd,
  normalizeRows,
  operatingPoint,
  roc,
  rocAuc,
  tarAtFar,
  tenFoldAccuracy,
  type ClosedSetResult,
  type EvaluateVerificationOptions,
  type VerificationReport,
  type MakePairsOptions,
  type OperatingPoint,
  type Pairs,
  type Roc,
  type TenFoldOptions,
  type TenFoldResult,
  type FoldRange,
  type MeanStd,
} from './eval/verification.js';
export { FIGURE_CONFIG, renderVegaLite } from './report/vega.js';
export {
  ARCFACE_FALLBACK_CURVES,
  LOSS_CURVES,
  decisionBoundary,
  definedMarginCurves,
  targetLogitCurves,
  targetProbabilityCurve,
  type BoundaryLine,
  type Curve,
  type DecisionBoundary,
  type MarginCurveSpec,
} from './report/curves.js';
export { marginGeometryFigures, writeMarginGeometryFigures } from './report/margin-figures.js';
export {
  angleHistogramFigure,
  decisionBoundaryFigure,
  embeddingScatterFigure,
  rocFigure,
  targetLogitFigure,
  type AngleStage,
  type CurvePanel,
  type DecisionBoundaryOptions,
  type RocSeries,
  type ScatterPanel,
  type TargetLogitOptions,
} from './report/figures.js';
export {
  formatNumber,
  renderReport,
  writeReport,
  type RenderedReport,
  type ReportFigure,
  type ReportInput,
  type ReportTable,
} from './report/report.js';
export { scope, unscope, requireTensor, countParams, valueAndGradParams, type Params, type ParamsValueAndGrad, type State } from './nn/params.js';
export { constant, fans, kaimingNormal, kaimingUniform, normal, xavierNormal, xavierUniform, type Fans, type Initializer, type KaimingOptions, type XavierOptions } from './nn/init.js';
export type { ApplyOptions, ApplyResult, Module, Variables } from './nn/module.js';
export { Linear, type LinearOptions } from './nn/linear.js';
export { PReLU, ReLU, type PReLUOptions } from './nn/activation.js';
export { BatchNorm1d, type BatchNormOptions } from './nn/batch-norm.js';
export { MLP, type MLPOptions } from './nn/mlp.js';
export type { OptState, Optimizer, ParamUpdate, StepOptions, StepResult, UpdateContext, UpdatedParam } from './optim/optimizer.js';
export { sgd, type SGDOptions } from './optim/sgd.js';
export { adam, adamW, type AdamOptions } from './optim/adam.js';
export { constantSchedule, cosine, multiStep, sphereFaceLambdaSchedule, stepDecay, warmup, type Schedule, type SphereFaceLambdaOptions } from './optim/schedule.js';
export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, CheckpointError, decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint, type Checkpoint, type JsonValue, type SaveOptions } from './train/checkpoint.js';
export { epochSeed, train, type CheckpointOptions, type HeadLoss, type HeadStateAccess, type Progress, type TrainData, type TrainOptions, type TrainResult } from './train/loop.js';
export { ProgressBar, trainProgress, type ProgressBarOptions, type ProgressStream } from './cli/progress.js';
export { fastMarginHead, fastMarginHeadArrays, type FastHeadOptions, type FastHeadResult, type FastHeadTensors } from './losses/fast-margin-head.js';
export { shutdownFastPool } from './backend/wasm/pool.js';
// Test-suite reliability (issue 14): the one tolerance rule that tests, `arcgrad check` and `arcgrad reliability` compare with.
export { UNIT_ROUNDOFF, acosCondition, relativeError, roundingError, tolerance, withinTolerance, type FloorInputs, type Tolerance } from './check/tolerance.js';

// Docs (issue 16): the margin figures' shaded training window and the decision-boundary legend.
export { DECISION_BOUNDARY_SERIES, TRAINING_WINDOW_DEGREES } from './report/figures.js';

// ── wasm: the float32 WebAssembly SIMD backend, the default training backend, the head's shared target (issue 18) ──
export { WasmBackend, wasmBackend, type WasmBackendOptions } from './backend/wasm/backend.js';
export { wasmMarginHeadArrays, type WasmHeadArrays, type WasmHeadOptions } from './backend/wasm/head.js';
export { defaultBackend } from './backend/select.js';
export { targetAndSlope, type TargetAndSlope } from './backend/head.js';

// glyphs (issue 15): the glyph-identities data set and the open-set protocol at scale.
export { DataError } from './data/glyph-render.js';
export {
  FIXTURE_FONTS, GLYPH_FONTS_PACKAGE_DIR, checkGlyphs, defaultCacheDir, ensureFontPackages, glyphImages, glyphOffset, glyphsDir, loadGlyphs, splitGlyphs,
} from './data/glyphs.js';
export type {
  BuildProgress, DataLog, FontInstall, FontInstallOptions, GlyphCheck, GlyphImageSet, GlyphSplit, GlyphSplitOptions, GlyphsData, GlyphsManifest, GlyphsSpec,
  LoadGlyphsOptions, LoadedGlyphs,
} from './data/glyphs.js';
export { ROC_BINS, allPairsTarAtFar, backendGram, evaluateOpenSet, float64Gram, rankOneIdentification } from './eval/open-set.js';
export type { AllPairsPoint, AllPairsResult, GramRows, IdentificationResult, OpenSetOptions, OpenSetReport, OpenSetSample } from './eval/open-set.js';
