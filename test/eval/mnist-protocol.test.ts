/**
 * The open-set protocol end to end on the quick MNIST split, with raw pixels standing in for a
 * trained embedding (a baseline any trained model should beat): pairs from the unseen digits
 * only, 10-fold accuracy, ROC, TAR@FAR, and closed-set nearest-center accuracy on digits 0–6.
 */
import { describe, expect, it } from 'vitest';
import { MNIST_PIXELS, UNSEEN_DIGITS, openSetMnist } from '../../src/data/mnist.js';
import { classCenters, closedSetAccuracy, evaluateVerification, makePairs } from '../../src/eval/verification.js';

describe('open-set protocol on quick MNIST, raw pixels as embeddings', () => {
  const data = openSetMnist({ quick: true, seed: 0 });
  const pairs = makePairs(data.unseen.labels, { count: 600, seed: 0 });
  const run = () => evaluateVerification(data.unseen.images, MNIST_PIXELS, pairs);
  const result = run();

  it('draws pairs from the unseen digits only', () => {
    for (let p = 0; p < pairs.issame.length; p++) {
      expect(UNSEEN_DIGITS).toContain(data.unseen.labels[pairs.a[p]]);
      expect(UNSEEN_DIGITS).toContain(data.unseen.labels[pairs.b[p]]);
    }
  });

  it('pixels verify better than chance but not perfectly, reproducibly', () => {
    expect(result.accuracy.foldAccuracies).toHaveLength(10);
    expect(result.accuracy.mean).toBeGreaterThan(0.6);
    expect(result.accuracy.mean).toBeLessThan(0.99);
    expect(result.auc).toBeGreaterThan(0.6);
    expect(result.tarAtFar.map((p) => p.target)).toEqual([1e-3, 1e-2, 1e-1]);
    for (const p of result.tarAtFar) expect(p.far).toBeLessThanOrEqual(p.target);
    expect(run()).toEqual(result);
  });

  it('closed-set: nearest class mean of the training split classifies the held-out digits 0–6', () => {
    const centers = classCenters(data.train.images, data.train.labels, 7);
    const { accuracy } = closedSetAccuracy(data.closedTest.images, data.closedTest.labels, centers);
    expect(accuracy).toBeGreaterThan(0.6);
  });
});
