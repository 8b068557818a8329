/**
 * The angular-margin loss family: the combined margin and its presets, plain softmax, SphereFace's
 * λ annealing, PartialFC class sampling, the ArcFace paper's §2.3 losses and sub-center ArcFace,
 * `defineMargin` and the margin registry, and the fused float32 head `fastMarginHead`.
 *
 * `arcgrad/losses`: all of them with the margin head's building blocks; the losses themselves are
 * also in the root.
 * @module arcgrad/losses
 */
export { GRADIENT_MODES, TAPE_ONLY_OPTIONS, assertNoTapeOnlyOptions, resolveMarginOptions, type GradientMode, type MarginOptions, type ResolvedMarginOptions } from './options.js';
export { canFuseHead, checkHeadInputs, composedMarginLoss, fusedMarginLoss, cosineMatrix, interclassFilter, marginLogits, marginLoss, rowNorms, targetLogit } from './margin-head.js';
export {
  arcface, combined, combinedMargin, cosface, marginPresets, normface, softmaxLoss, sphereface,
  type MarginLossHead, type MarginPresetName, type PresetOverrides,
} from './presets.js';
export { SPHEREFACE_LAMBDA, sphereFaceLambda, type LambdaSchedule } from './sphereface-lambda.js';
export { sampleClassCenters, sampledMarginLoss, type ClassSample } from './class-sampling.js';
export { interLoss, intraLoss } from './intra-inter.js';
export { angularTripletLoss } from './angular-triplet.js';
export { minedAngularTripletLoss, semiHardTriplets, type Triplets } from './triplet-mining.js';
export { subCenterArcFaceLoss, subCenterCosines } from './sub-center.js';
export { resolveSphereFace2Options, sphereFace2InitialBias, sphereFace2Loss, type ResolvedSphereFace2Options, type SphereFace2Options } from './sphereface2.js';
export { headSpec, marginHeadStep } from './fused-head.js';
export {
  UnknownMarginError, defineMargin, getMargin, isDefinedMargin, registerMargin, registeredMargins,
  type DefinedMargin, type DefinedMarginHead, type MarginContext, type MarginDefinition, type MarginParams,
  type DefinedCurveSpec, type ReferenceBehaviour, type ScaleParam, type TargetLogitAtOptions,
} from './define-margin.js';
export { fastMarginHead, fastMarginHeadArrays, type FastHeadOptions, type FastHeadResult, type FastHeadTensors } from './fast-margin-head.js';
export { shutdownFastPool } from '../backend/wasm/pool.js';
