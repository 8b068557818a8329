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
export { epochSeed, train, type CheckpointOptions, type HeadLoss, type Progress, type TrainData, type TrainOptions, type TrainResult } from './train/loop.js';
export { ProgressBar, trainProgress, type ProgressBarOptions, type ProgressStream } from './cli/progress.js';
