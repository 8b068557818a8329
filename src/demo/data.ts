/**
 * The data of the demo and of `arcgrad train`/`eval`: the open-set MNIST splits
 * (`openSetMnist`), downsampled from 28×28 to 14×14 by 2×2 average pooling.
 *
 * Why pool: the CPU float64 backend spends its time in the first matmul, whose cost is linear in
 * the input width; 196 inputs instead of 784 make a training step about 4× cheaper, which is what
 * lets six losses train within the demo's five-minute budget on two cores. Digits stay legible at
 * 14×14 (MNIST's strokes are 2–3 pixels wide), so little is lost for a 7-class problem.
 */
import { KNOWN_DIGITS, MNIST_SIDE, openSetMnist, type ImageSet, type OpenSetMnistOptions } from '../data/mnist.js';
import { ShapeError } from '../tensor/errors.js';

/** Side of a pooled image (28 / 2). */
export const POOLED_SIDE = MNIST_SIDE / 2;
/** Inputs per pooled image (14 × 14). */
export const POOLED_PIXELS = POOLED_SIDE * POOLED_SIDE;
/** Classes of the training set (digits 0–6). */
export const NUM_CLASSES = KNOWN_DIGITS.length;

/** Row-major N × 784 images (28×28) → N × 196 (14×14), each output pixel the mean of a 2×2 block. */
export function pool2x2(images: Float64Array, count: number): Float64Array {
  const side = MNIST_SIDE;
  if (images.length !== count * side * side) throw new ShapeError(`pool2x2: ${images.length} numbers are not ${count} images of ${side}×${side}`);
  const out = new Float64Array(count * POOLED_PIXELS);
  for (let n = 0; n < count; n++) {
    const src = n * side * side;
    for (let r = 0; r < POOLED_SIDE; r++) {
      for (let c = 0; c < POOLED_SIDE; c++) {
        const k = src + 2 * r * side + 2 * c;
        out[n * POOLED_PIXELS + r * POOLED_SIDE + c] = (images[k] + images[k + 1] + images[k + side] + images[k + side + 1]) / 4;
      }
    }
  }
  return out;
}

/** A pooled split: N × 196 pixels and the digit of each row. */
export interface PooledSet {
  /** Row-major N × 196 pixels. */
  x: Float64Array;
  /** Digit of each row (for digits 0–6 also the class index). */
  labels: Int32Array;
  /** N. */
  count: number;
}

/** The three open-set splits, pooled. */
export interface DemoData {
  /** Digits 0–6 for training. */
  train: PooledSet;
  /** Held-out digits 0–6 (closed-set accuracy). */
  closedTest: PooledSet;
  /** Digits 7–9, never trained on (verification pairs). */
  unseen: PooledSet;
}

function pooled(set: ImageSet): PooledSet {
  return { x: pool2x2(set.images, set.count), labels: set.labels, count: set.count };
}

/** `openSetMnist(options)`, every split pooled to 14×14. */
export function loadDemoData(options: OpenSetMnistOptions): DemoData {
  const d = openSetMnist(options);
  return { train: pooled(d.train), closedTest: pooled(d.closedTest), unseen: pooled(d.unseen) };
}
