/** The playground's pixel arithmetic: frames, paths with gaps, ticks. */
import { describe, expect, it } from 'vitest';
import { angleTicks, linePath, ticks, toPixels, type Frame } from '../../playground/scale.js';

const frame: Frame = { width: 200, height: 100, x: [0, 4], y: [-1, 1] };

describe('toPixels / linePath', () => {
  it('maps the frame corners to the drawing area, y downwards', () => {
    expect(toPixels(frame, 0, -1)).toEqual([0, 100]);
    expect(toPixels(frame, 4, 1)).toEqual([200, 0]);
    expect(toPixels(frame, 1, 0)).toEqual([50, 50]);
  });

  it('draws a polyline and starts a new one after a non-finite point', () => {
    expect(linePath(frame, [0, 1, 2], [-1, 0, 1])).toBe('M0.00,100.00L50.00,50.00L100.00,0.00');
    expect(linePath(frame, [0, 1, 2, 3], [-1, Number.NaN, 0, 1])).toBe('M0.00,100.00M100.00,50.00L150.00,0.00');
    expect(linePath(frame, [], [])).toBe('');
  });
});

describe('ticks', () => {
  it('gives round steps covering the range', () => {
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(-2, 1)).toEqual([-2, -1, 0, 1]);
    expect(ticks(0, 15.9)).toEqual([0, 5, 10, 15]);
  });

  it('labels angles in multiples of π/4', () => {
    expect(angleTicks(0, Math.PI).map(([, label]) => label)).toEqual(['0', 'π/4', 'π/2', '3π/4', 'π']);
  });
});
