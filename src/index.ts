/**
 * arcgrad: a reverse-mode autodiff micro-framework for the angular-margin softmax losses of deep
 * face recognition. This file is the public API; everything exported here is documented.
 *
 * Layers, each importing only from those before it:
 * tensor → backend → tape → ops → losses → nn / optim → cli.
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
export * from './losses/index.js';
export { fastMarginHead, fastMarginHeadArrays, type FastHeadOptions, type FastHeadResult } from './backend/fast/margin-head.js';
export { shutdownFastPool } from './backend/fast/pool.js';
