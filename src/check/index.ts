/**
 * `arcgrad/check`: what `arcgrad check` does, as functions — read a case file written by another
 * implementation, recompute each case's loss and gradients, compare them. `parseCaseFile`,
 * `runCase` and `emitCases` are also in the root.
 * @module arcgrad/check
 */
export {
  CaseFileError, caseOptions, compareCase, computeCase, computeCaseFused, defaultTolerance, emitCases, normwiseError, parseCaseFile, runCase,
  type CaseResult, type CaseValues, type CheckCase, type CheckOptions,
} from './cases.js';
