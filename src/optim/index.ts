/**
 * `arcgrad/optim`: the optimizers (SGD, Adam, AdamW), the learning-rate schedules and the
 * optimizer interface. The optimizers and schedules are also in the root.
 * @module arcgrad/optim
 */
export type { OptState, Optimizer, ParamUpdate, StepOptions, StepResult, UpdateContext, UpdatedParam } from './optimizer.js';
export { sgd, type SGDOptions } from './sgd.js';
export { adam, adamW, type AdamOptions } from './adam.js';
export { constantSchedule, cosine, multiStep, sphereFaceLambdaSchedule, stepDecay, warmup, type Schedule, type SphereFaceLambdaOptions } from './schedule.js';
