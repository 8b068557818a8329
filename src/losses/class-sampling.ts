/**
 * Class-center sampling as insightface's PartialFC_V2 does it on one process
 * (recognition/arcface_torch/partial_fc_v2.py, `sample`): every class that appears in the batch
 * (a positive) is kept, negatives are drawn uniformly without replacement up to
 * num_sample = ⌊sampleRate·C⌋, the kept indices are sorted, and labels are remapped to positions
 * in that sorted list (torch.searchsorted). The loss is then computed against W[index] only, so
 * only sampled centers receive gradient. When num_sample < #positives, only the positives are
 * kept. sampleRate 1 keeps every class and equals the full loss.
 *
 * insightface draws perm = rand(C), sets perm[positive] = 2.0 and takes the top num_sample; this
 * does the same with arcgrad's seeded generator (so the draws, not the rule, differ from torch).
 */
import type { Labels } from '../ops/_labels.js';
import { toLabels } from '../ops/_labels.js';
import { OptionError } from '../tensor/errors.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { takeRows } from '../ops/index.js';
import { checkHeadInputs, marginLoss } from './margin-head.js';
import type { MarginOptions } from './options.js';

/** The sampled class centers and the remapped labels. */
export interface ClassSample {
  /** Sorted indices of the kept classes (rows of W). */
  index: Int32Array;
  /** Labels remapped to positions in `index` (−1 stays −1). */
  labels: Int32Array;
}

/** Samples class centers for one batch (see the file header). */
export function sampleClassCenters(labels: Labels, numClasses: number, sampleRate: number, rng: Random): ClassSample {
  if (!(sampleRate > 0 && sampleRate <= 1)) throw new OptionError(`sampleClassCenters: sampleRate must be in (0, 1], got ${sampleRate}`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new OptionError(`sampleClassCenters: numClasses must be a positive integer, got ${numClasses}`);
  const y = toLabels('sampleClassCenters', labels, labels.length, numClasses);
  const numSample = Math.floor(sampleRate * numClasses);
  const isPositive = new Uint8Array(numClasses);
  for (const l of y) if (l >= 0) isPositive[l] = 1;
  const positives = [...isPositive.keys()].filter((j) => isPositive[j] === 1);
  let kept: number[];
  if (numSample >= positives.length) {
    const perm = Array.from({ length: numClasses }, (_, j) => (isPositive[j] ? 2 : rng.uniform()));
    kept = [...perm.keys()].sort((a, b) => perm[b] - perm[a] || a - b).slice(0, numSample);
  } else kept = positives;
  const index = Int32Array.from(kept.sort((a, b) => a - b));
  const position = new Int32Array(numClasses).fill(-1);
  index.forEach((j, k) => (position[j] = k));
  return { index, labels: y.map((l) => (l < 0 ? -1 : position[l])) };
}

/**
 * The margin loss against sampled class centers: W[index] with remapped labels. The gradient
 * reaches only the sampled rows of W (the takeRows VJP scatters it back).
 */
export function sampledMarginLoss(
  x: Tensor,
  w: Tensor,
  labels: Labels,
  options: MarginOptions,
  sampling: { sampleRate: number; rng: Random },
): Tensor {
  checkHeadInputs('sampledMarginLoss', x, w, labels);
  const sample = sampleClassCenters(labels, w.shape[0], sampling.sampleRate, sampling.rng);
  return marginLoss(x, takeRows(w, sample.index), sample.labels, options);
}
