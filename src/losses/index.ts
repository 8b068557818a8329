/**
 * The angular-margin loss family: the combined margin and its presets, plain softmax, SphereFace's
 * λ annealing, PartialFC class sampling, the ArcFace paper's §2.3 losses and sub-center ArcFace.
 */
export { GRADIENT_MODES, resolveMarginOptions, type GradientMode, type MarginOptions, type ResolvedMarginOptions } from './options.js';
export { canFuseHead, checkHeadInputs, composedMarginLoss, fusedMarginLoss, cosineMatrix, interclassFilter, marginLogits, marginLoss, targetLogit } from './margin-head.js';
export {
  arcface, combined, combinedMargin, cosface, marginPresets, normface, softmaxLoss, sphereface,
  type MarginLossHead, type MarginPresetName, type PresetOverrides,
} from './presets.js';
export { SPHEREFACE_LAMBDA, sphereFaceLambda, type LambdaSchedule } from './sphereface-lambda.js';
export { sampleClassCenters, sampledMarginLoss, type ClassSample } from './class-sampling.js';
export { interLoss, intraLoss } from './intra-inter.js';
export { angularTripletLoss } from './angular-triplet.js';
export { subCenterArcFaceLoss, subCenterCosines } from './sub-center.js';
export { headSpec, marginHeadStep } from './fused-head.js';
export {
  UnknownMarginError, defineMargin, getMargin, isDefinedMargin, registerMargin, registeredMargins,
  type DefinedMargin, type DefinedMarginHead, type MarginContext, type MarginDefinition, type MarginParams,
  type DefinedCurveSpec, type ReferenceBehaviour, type ScaleParam, type TargetLogitAtOptions,
} from './define-margin.js';
