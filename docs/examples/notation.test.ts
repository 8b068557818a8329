/**
 * docs/notation.md is the one table of letters: every concept page links it, and no page goes back
 * to the letters it replaced (lower-case n×c shapes, c as the class count, f′ as SphereFace's blend).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { page } from './pages.js';

const pages = readdirSync(fileURLToPath(new URL('..', import.meta.url))).filter((f) => f.endsWith('.md'));

describe('docs/notation.md', () => {
  it('maps the papers\' layout and letters to arcgrad\'s', () => {
    const table = page('notation.md');
    for (const row of ['| C | n (ArcFace: "class number") |', '| W, C×d, row w_j | W ∈ ℝ^{d×n}, column W_j |', '| f′ = df/dc |', '| f_λ = (λ·cos θ + f)/(1 + λ) |']) {
      expect(table).toContain(row);
    }
  });

  it('is linked by every page that writes formulas', () => {
    for (const name of ['README.md', 'losses.md', 'ops.md', 'numerics.md', 'checking-your-implementation.md', 'prototype-your-own-margin.md']) {
      expect(page(name), name).toContain('](notation.md)');
    }
  });

  it('is followed: no lower-case class-count shapes, no f′ for the λ blend', () => {
    for (const name of pages.filter((p) => p !== 'notation.md')) {
      const text = page(name);
      expect(text.match(/\b(?:n×c|c×d|n×d|c×n)\b|\[n,\s?c\]/g), name).toBeNull();
      expect(text.match(/f′\s*=\s*\(λ/g), name).toBeNull();
    }
  });
});
