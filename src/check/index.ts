/**
 * `arcgrad/check`: what `arcgrad check` does, as functions — read a case file written by another
 * implementation, recompute each case's loss and gradients, compare them. `parseCaseFile`,
 * `runCase` and `emitCases` are also in the root, as is the one tolerance rule (`tolerance`,
 * `relativeError`, …) that `arcgrad check` and the tests compare with.
 * @module arcgrad/check
 */
export {
  CaseFileError, caseOptions, compareCase, computeCase, computeCaseFused, defaultTolerance, emitCases, normwiseError, parseCaseFile, runCase,
  type CaseResult, type CaseValues, type CheckCase, type CheckOptions,
} from './cases.js';
export { UNIT_ROUNDOFF, acosCondition, relativeError, roundingError, tolerance, withinTolerance, type FloorInputs, type Tolerance } from './tolerance.js';
