/**
 * `ConvNet`: a small convolutional face-embedding backbone on channels-last image rows
 * x [N, H·W·C] (docs/ops.md#conv2d),
 *
 *   [conv k×k → max-pool 2×2 → BatchNorm (per channel) → PReLU (per channel)] × widths.length
 *   → flatten → Linear → BatchNorm1d → embedding
 *
 * the conv-BN-PReLU stages of the SphereFace/ArcFace backbones at toy size, with pooling in place
 * of strided convolutions, and the pooling before the batch norm and the activation rather than
 * after: those two are composed of elementwise ops over every activation, and on the pooled map
 * they touch 4× fewer (measured on the glyph benchmark: docs/benchmarks.md, "Glyph backbones").
 * (Max-pooling commutes with a PReLU and with a batch norm of positive scale; the statistics
 * differ — they are those of the pooled map.) The convolutions have no bias (the batch norm
 * after each absorbs it). Parameter names: `conv{i}.w`, `bn{i}.gamma`, `bn{i}.beta`, `act{i}.alpha`,
 * `fc.w`, `fc.b`, `bn.gamma`, `bn.beta`; state `bn{i}.mean`, `bn{i}.var`, `bn.mean`, `bn.var`.
 */
import { OptionError } from '../tensor/errors.js';
import { PReLU } from './activation.js';
import { BatchNorm1d } from './batch-norm.js';
import { Conv2d, MaxPool2d, PerChannel } from './conv.js';
import { xavierUniform } from './init.js';
import { Linear, assertFeatures } from './linear.js';
import type { Module } from './module.js';
import { Sequential } from './sequential.js';

/** Options of `ConvNet`. */
export interface ConvNetOptions {
  /** Image height H (divisible by 2^widths.length: every stage halves it). */
  height: number;
  /** Image width W (divisible by 2^widths.length). */
  width: number;
  /** Input channels (default 1: grayscale). */
  channels?: number;
  /** Output channels of each conv stage, e.g. [8, 16]. */
  widths: readonly number[];
  /** Embedding width. */
  embedding: number;
  /** Kernel size of every conv (odd, default 3). */
  kernel?: number;
}

/** Conv stages (conv-pool-BN-PReLU), then a linear embedding with its batch norm. */
export class ConvNet extends Sequential {
  /** Builds the layer list from `options`. */
  constructor(options: ConvNetOptions) {
    const { height, width, channels = 1, widths, embedding, kernel = 3 } = options;
    assertFeatures('ConvNet', 'embedding', embedding);
    assertFeatures('ConvNet', 'channels', channels);
    if (!Array.isArray(widths) || widths.length === 0) throw new OptionError('ConvNet: widths must be a non-empty array of channel counts');
    widths.forEach((c, i) => assertFeatures('ConvNet', `widths[${i}]`, c));
    const halvings = 2 ** widths.length;
    if (!Number.isInteger(height / halvings) || !Number.isInteger(width / halvings) || height < halvings || width < halvings) {
      throw new OptionError(`ConvNet: ${height}×${width} images cannot be halved ${widths.length} times (height and width must be multiples of ${halvings})`);
    }
    const layers: [string, Module][] = [];
    let [h, w, c] = [height, width, channels];
    widths.forEach((out, i) => {
      layers.push([`conv${i}`, new Conv2d({ height: h, width: w, inChannels: c, outChannels: out, kernel })]);
      layers.push([`pool${i}`, new MaxPool2d(h, w)]);
      layers.push([`bn${i}`, new PerChannel(out, new BatchNorm1d(out))]);
      layers.push([`act${i}`, new PerChannel(out, new PReLU(out))]);
      [h, w, c] = [h / 2, w / 2, out];
    });
    layers.push(['fc', new Linear(h * w * c, embedding, { weightInit: xavierUniform() })]);
    layers.push(['bn', new BatchNorm1d(embedding)]);
    super(layers);
  }
}
