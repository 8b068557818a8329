/** docs/reference-code.md: the numbers it quotes are what docs/examples/losses.ts computes. */
import { describe, expect, it } from 'vitest';
import * as ex from './losses.js';
import { fixed, page, shows as showsOn } from './pages.js';

const doc = page('reference-code.md');
const shows = showsOn(doc);

describe('docs/reference-code.md', () => {
  it('insightface drops m2 from the combined margin', () => {
    const d = ex.insightfaceDropsM2(1);
    shows(fixed(d.combined, 4), '0.0675');
    shows(fixed(d.insightface, 4), '0.3403');
    expect(d.insightface).toBeCloseTo(Math.cos(1) - 0.2, 14);
  });

  it("clcarwin's λ = max(5, 1500/(1 + 0.1·iter)) reaches 5 at iteration 2990", () => {
    let iter = 1;
    while (Math.max(5, 1500 / (1 + 0.1 * iter)) > 5) iter++;
    expect(iter).toBe(2990);
    expect(doc).toContain('which reaches 5 at\niteration 2990');
  });

  it("holds the code history that the concept pages no longer carry", () => {
    expect(doc).toContain('657ae30e');
    for (const name of ['losses.md', 'ops.md', 'notation.md', 'numerics.md']) {
      expect(page(name), name).not.toMatch(/commit [0-9a-f]{7,}|filter04|Jan–Dec 2022|Since December 2022/);
    }
  });
});
