/**
 * The options shared by `arcgrad train` and `arcgrad demo`: which loss with which margins, the
 * backbone, the optimization and the data, turned into a RunConfig. The defaults are the demo's
 * (see src/demo/losses.ts for why s = 30 rather than the papers' 64).
 */
import { DEFAULT_SCALE, EXAMPLE_MARGIN_NAMES, LOSS_NAMES, lossConfig, refusePaperVariant } from '../demo/losses.js';
import type { MarginParams } from '../losses/define-margin.js';
import { validateRunConfig, type RunConfig } from '../demo/experiment.js';
import { QUICK_PER_DIGIT } from '../data/mnist.js';
import { FALLBACK_POLICIES } from '../ops/angular-margin.js';
import { OptionError } from '../tensor/errors.js';
import type { OptionSpec, Parsed } from './args.js';

/** Verification pairs of a full run (LFW's 6000) and of a --quick run (its 180 unseen images allow few more). */
export const DEFAULT_PAIRS = 6000;
/** Verification pairs of a --quick run. */
export const QUICK_PAIRS = 600;

/** The loss options (`--loss` and its margins). */
export const LOSS_SPECS: Readonly<Record<string, OptionSpec>> = {
  loss: { type: 'string', help: `loss: ${[...LOSS_NAMES, ...EXAMPLE_MARGIN_NAMES].join(' | ')} | a margin of --margin-module`, default: 'arcface' },
  'margin-params': { type: 'string', help: 'JSON object of a defined margin\'s parameters, e.g. \'{"m": 0.4}\' (its defaults otherwise; s from --s)' },
  s: { type: 'number', help: `scale s of a margin loss (default ${DEFAULT_SCALE}; the papers use 64 for 10⁴+ identities)` },
  m1: { type: 'number', help: 'multiplicative angular margin (default: the preset\'s, e.g. 4 for sphereface)' },
  m2: { type: 'number', help: 'additive angular margin in radians (default: the preset\'s, e.g. 0.5 for arcface)' },
  m3: { type: 'number', help: 'additive cosine margin (default: the preset\'s, e.g. 0.35 for cosface)' },
  fallback: { type: 'string', help: `where m1·θ + m2 leaves [0, π]: ${FALLBACK_POLICIES.join(' | ')} (default: the preset's)` },
  gradient: { type: 'string', help: 'exact | straight-through (default exact)' },
};

/** The model, optimization and data options. */
export const TRAINING_SPECS: Readonly<Record<string, OptionSpec>> = {
  embedding: { type: 'number', help: 'embedding size', default: 32 },
  hidden: { type: 'string', help: 'hidden layer widths, comma-separated', default: '128' },
  epochs: { type: 'number', help: 'passes over the training images', default: 10 },
  'batch-size': { type: 'number', help: 'images per step', default: 128 },
  lr: { type: 'number', help: 'peak learning rate (SGD; warm-up, then cosine to 0)', default: 0.1 },
  momentum: { type: 'number', help: 'SGD momentum', default: 0.9 },
  'weight-decay': { type: 'number', help: 'L2 weight decay', default: 5e-4 },
  'warmup-epochs': { type: 'number', help: 'epochs of linear warm-up from lr/10', default: 1 },
  seed: { type: 'number', help: 'seed of initialization and shuffling', default: 0 },
  'data-seed': { type: 'number', help: 'seed of the data split and of the verification pairs', default: 0 },
  quick: { type: 'boolean', help: `${QUICK_PER_DIGIT} images per digit, for smoke runs` },
  'per-digit': { type: 'number', help: 'at most this many images per digit (0 = all; overrides --quick)' },
  pairs: { type: 'number', help: `verification pairs among unseen digits (default ${DEFAULT_PAIRS}, ${QUICK_PAIRS} with --quick)` },
};

function hiddenWidths(text: string): number[] {
  const widths = text.split(',').map((w) => Number(w.trim()));
  if (text.trim() === '' || widths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new OptionError(`--hidden must be comma-separated positive integers, got '${text}'`);
  }
  return widths;
}

/** The `--margin-params` JSON object (undefined when not given); an OptionError for anything else. */
export function marginParamsOption(value: string | number | boolean | undefined): MarginParams | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(value));
  } catch (e) {
    throw new OptionError(`--margin-params must be a JSON object, e.g. '{"m": 0.4}': ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new OptionError(`--margin-params must be a JSON object, got ${String(value)}`);
  return parsed as MarginParams;
}

/**
 * The run configuration of parsed `LOSS_SPECS` and `TRAINING_SPECS` options (validated);
 * `modules` maps the names of margins loaded with --margin-module to their files.
 */
export function runConfigFromOptions(o: Parsed['options'], loss = String(o.loss), modules: ReadonlyMap<string, string> = new Map()): RunConfig {
  const num = (name: string) => (o[name] === undefined ? undefined : Number(o[name]));
  const str = (name: string) => (o[name] === undefined ? undefined : String(o[name]));
  const quick = o.quick === true;
  const params = marginParamsOption(o['margin-params']);
  const module = modules.get(loss);
  refusePaperVariant(loss, '--loss');
  const config: RunConfig = {
    loss: lossConfig(
      loss,
      { s: num('s'), m1: num('m1'), m2: num('m2'), m3: num('m3'), fallback: str('fallback'), gradient: str('gradient') },
      { ...(params === undefined ? {} : { params }), ...(module === undefined ? {} : { module }) },
    ),
    data: { seed: Number(o['data-seed']), perDigit: num('per-digit') ?? (quick ? QUICK_PER_DIGIT : 0) },
    model: { hidden: hiddenWidths(String(o.hidden)), embedding: Number(o.embedding) },
    optim: {
      epochs: Number(o.epochs),
      batchSize: Number(o['batch-size']),
      lr: Number(o.lr),
      momentum: Number(o.momentum),
      weightDecay: Number(o['weight-decay']),
      warmupEpochs: Number(o['warmup-epochs']),
      seed: Number(o.seed),
    },
    pairs: num('pairs') ?? (quick ? QUICK_PAIRS : DEFAULT_PAIRS),
  };
  validateRunConfig(config);
  return config;
}
