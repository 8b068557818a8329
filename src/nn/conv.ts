/**
 * Image layers on channels-last rows x [N, H·W·C] (the layout of the conv2d op,
 * docs/ops.md#conv2d): `Conv2d`, `MaxPool2d`, and `PerChannel`, which applies a per-column module
 * (BatchNorm1d, PReLU) per channel — BatchNorm2d and a channel-wise PReLU — by viewing the rows as
 * [N·H·W, C] pixels.
 */
import { conv2d } from '../ops/conv2d.js';
import { maxPool2d } from '../ops/max-pool2d.js';
import { reshape } from '../ops/reshape.js';
import { OptionError, ShapeError, formatShape } from '../tensor/errors.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { kaimingNormal, type Initializer } from './init.js';
import { assertFeatures } from './linear.js';
import type { ApplyOptions, ApplyResult, Module, Variables } from './module.js';
import { requireTensor, type Params } from './params.js';

/** Options of `Conv2d`. */
export interface Conv2dLayerOptions {
  /** Image height H. */
  height: number;
  /** Image width W. */
  width: number;
  /** Input channels C. */
  inChannels: number;
  /** Output channels (filters) F. */
  outChannels: number;
  /** Kernel size k, odd (default 3). */
  kernel?: number;
  /** Initializer of w [F, k·k·C] (default He normal for a PReLU at 0.25: fan-in k·k·C). */
  weightInit?: Initializer;
}

/** A k×k convolution, stride 1, 'same' zero padding, no bias: param `w` [F, k·k·C]. */
export class Conv2d implements Module {
  /** H, W, C, F and k. */
  readonly geometry: Required<Omit<Conv2dLayerOptions, 'weightInit'>>;
  private readonly weightInit: Initializer;

  /** A layer from C to F channels on H×W images. */
  constructor(options: Conv2dLayerOptions) {
    const { height, width, inChannels, outChannels, kernel = 3 } = options;
    for (const [name, v] of Object.entries({ height, width, inChannels, outChannels })) assertFeatures('Conv2d', name, v);
    if (!Number.isInteger(kernel) || kernel < 1 || kernel % 2 === 0) throw new OptionError(`Conv2d: kernel must be an odd integer ≥ 1, got ${String(kernel)}`);
    this.geometry = { height, width, inChannels, outChannels, kernel };
    this.weightInit = options.weightInit ?? kaimingNormal({ a: 0.25 });
  }

  /** `{ params: { w }, state: {} }`. */
  init(rng: Random): Variables {
    const { inChannels, outChannels, kernel } = this.geometry;
    return { params: { w: this.weightInit([outChannels, kernel * kernel * inChannels], rng) }, state: {} };
  }

  /** conv2d(x, w): [N, H·W·C] → [N, H·W·F]. */
  apply(params: Params, x: Tensor, options: ApplyOptions = {}): ApplyResult {
    const { height, width, inChannels, outChannels, kernel } = this.geometry;
    const w = requireTensor(params, 'w', [outChannels, kernel * kernel * inChannels], 'Conv2d');
    return { y: conv2d(x, w, { height, width, kernel }), state: options.state ?? {} };
  }
}

/** 2×2 max pooling, stride 2 (no parameters): [N, H·W·C] → [N, (H/2)·(W/2)·C]. */
export class MaxPool2d implements Module {
  /** A pooling of H×W images (H, W even). */
  constructor(
    /** Image height H. */
    readonly height: number,
    /** Image width W. */
    readonly width: number,
  ) {
    assertFeatures('MaxPool2d', 'height', height);
    assertFeatures('MaxPool2d', 'width', width);
    if (height % 2 !== 0 || width % 2 !== 0) throw new OptionError(`MaxPool2d: height and width must be even, got ${height}×${width}`);
  }

  /** No parameters, no state. */
  init(_rng: Random): Variables {
    return { params: {}, state: {} };
  }

  /** maxPool2d(x). */
  apply(_params: Params, x: Tensor, options: ApplyOptions = {}): ApplyResult {
    return { y: maxPool2d(x, { height: this.height, width: this.width }), state: options.state ?? {} };
  }
}

/**
 * `inner` (a module over [rows, C] with one parameter per column: BatchNorm1d, PReLU) applied to
 * every pixel of channels-last rows [N, H·W·C] as one [N·H·W, C] batch: per-channel statistics
 * and slopes, as BatchNorm2d and PyTorch's PReLU(C) on images.
 */
export class PerChannel implements Module {
  /** `inner` over `channels` columns. */
  constructor(
    /** C. */
    readonly channels: number,
    /** The per-column module. */
    readonly inner: Module,
  ) {
    assertFeatures('PerChannel', 'channels', channels);
  }

  /** The inner module's variables. */
  init(rng: Random): Variables {
    return this.inner.init(rng);
  }

  /** inner(x viewed as [N·H·W, C]), viewed back as [N, H·W·C]. */
  apply(params: Params, x: Tensor, options: ApplyOptions = {}): ApplyResult {
    const c = this.channels;
    if (x.rank !== 2 || x.shape[1] % c !== 0) throw new ShapeError(`PerChannel: x has shape ${formatShape(x.shape)}, not [N, H·W·${c}] rows`);
    const out = this.inner.apply(params, reshape(x, [(x.shape[0] * x.shape[1]) / c, c]), options);
    return { y: reshape(out.y, x.shape), state: out.state };
  }
}
