/**
 * `MLP`: a small fully connected face-embedding backbone,
 *
 *   x → [Linear → act] × hidden.length → Linear → BatchNorm1d → embedding
 *
 * The final BatchNorm1d on the embedding is what face models put before the margin head
 * (insightface's `features`, SphereFace's fc5 + BN); it can be switched off. Parameter names are
 * `fc{i}.w`, `fc{i}.b`, `act{i}.alpha` (PReLU) and `bn.gamma`, `bn.beta`; the state is
 * `bn.mean`, `bn.var`.
 */
import { OptionError } from '../tensor/errors.js';
import { PReLU, ReLU } from './activation.js';
import { BatchNorm1d, type BatchNormOptions } from './batch-norm.js';
import { kaimingNormal, xavierUniform, type Initializer } from './init.js';
import { Linear, assertFeatures } from './linear.js';
import type { Module } from './module.js';
import { Sequential } from './sequential.js';

/** Options of `MLP`. */
export interface MLPOptions {
  /** Input width. */
  inFeatures: number;
  /** Width of each hidden layer ([] for a single Linear). */
  hidden: readonly number[];
  /** Embedding width. */
  embedding: number;
  /** Hidden activation (default 'prelu', as the SphereFace/ArcFace backbones). */
  activation?: 'relu' | 'prelu';
  /** Batch-norm the embedding (default true); options or false. */
  batchNorm?: boolean | BatchNormOptions;
  /** Initializer of the hidden weights (default He normal, matched to the activation). */
  hiddenInit?: Initializer;
  /** Initializer of the embedding layer's weight (default Xavier uniform: no activation follows). */
  embeddingInit?: Initializer;
}

/** Linear layers with activations, then the embedding layer and its batch norm, applied in order. */
export class MLP extends Sequential {
  /** Builds the layer list from `options`. */
  constructor(options: MLPOptions) {
    const { inFeatures, hidden, embedding, activation = 'prelu', batchNorm = true } = options;
    assertFeatures('MLP', 'inFeatures', inFeatures);
    assertFeatures('MLP', 'embedding', embedding);
    if (!Array.isArray(hidden)) throw new OptionError('MLP: hidden must be an array of layer widths');
    hidden.forEach((h, i) => assertFeatures('MLP', `hidden[${i}]`, h));
    if (activation !== 'relu' && activation !== 'prelu') {
      throw new OptionError(`MLP: activation must be 'relu' or 'prelu', got ${String(activation)}`);
    }
    // PReLU starts at slope 0.25, so He's gain uses a = 0.25 for it.
    const hiddenInit = options.hiddenInit ?? kaimingNormal({ a: activation === 'prelu' ? 0.25 : 0 });
    const layers: [string, Module][] = [];
    let width = inFeatures;
    hidden.forEach((h, i) => {
      layers.push([`fc${i}`, new Linear(width, h, { weightInit: hiddenInit })]);
      layers.push([`act${i}`, activation === 'prelu' ? new PReLU(h) : new ReLU()]);
      width = h;
    });
    layers.push([`fc${hidden.length}`, new Linear(width, embedding, { weightInit: options.embeddingInit ?? xavierUniform() })]);
    if (batchNorm !== false) layers.push(['bn', new BatchNorm1d(embedding, batchNorm === true ? {} : batchNorm)]);
    super(layers);
  }
}
