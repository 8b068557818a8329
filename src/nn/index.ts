/**
 * `arcgrad/nn`: modules (Linear, PReLU, ReLU, BatchNorm1d, Conv2d, MaxPool2d, PerChannel, Sequential, MLP, ConvNet), initializers and the parameter
 * records they read and write. The backbones (MLP, ConvNet), Linear, PReLU, ReLU, BatchNorm1d and
 * `valueAndGradParams` are also in the root.
 * @module arcgrad/nn
 */
export { scope, unscope, requireTensor, countParams, valueAndGradParams, type Params, type ParamsValueAndGrad, type State } from './params.js';
export { constant, fans, kaimingNormal, kaimingUniform, normal, xavierNormal, xavierUniform, type Fans, type Initializer, type KaimingOptions, type XavierOptions } from './init.js';
export type { ApplyOptions, ApplyResult, Module, Variables } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { PReLU, ReLU, type PReLUOptions } from './activation.js';
export { BatchNorm1d, type BatchNormOptions } from './batch-norm.js';
export { MLP, type MLPOptions } from './mlp.js';
export { Sequential } from './sequential.js';
export { Conv2d, MaxPool2d, PerChannel, type Conv2dLayerOptions } from './conv.js';
export { ConvNet, type ConvNetOptions } from './convnet.js';
