/**
 * `arcgrad/eval`: open-set verification as insightface evaluates LFW (pairs, 10 folds, ROC,
 * TAR@FAR) and closed-set accuracy, with their building blocks. The main functions are also in the root.
 * @module arcgrad/eval
 */
export {
  INSIGHTFACE_COSINE_THRESHOLDS, classCenters, closedSetAccuracy, cosineScores, evaluateVerification, kFoldRanges, makePairs, meanStd,
  normalizeRows, operatingPoint, roc, rocAuc, tarAtFar, tenFoldAccuracy,
  type ClosedSetResult, type EvaluateVerificationOptions, type VerificationReport, type MakePairsOptions, type OperatingPoint, type Pairs,
  type Roc, type TenFoldOptions, type TenFoldResult, type FoldRange, type MeanStd,
} from './verification.js';
// glyphs (issue 15): the open-set protocol at scale and paired differences over seeds
export { ROC_BINS, allPairsTarAtFar, backendGram, evaluateOpenSet, float64Gram, rankOneIdentification } from './open-set.js';
export type { AllPairsPoint, AllPairsResult, GramRows, IdentificationResult, OpenSetOptions, OpenSetReport, OpenSetSample } from './open-set.js';
export { pairedDifference, studentT975, type PairedDifference } from './paired.js';
