/**
 * The two figures of the margins' geometry — the target logit f(θ) of every loss and of ArcFace
 * under every fallback policy, and the binary decision boundaries in the (θ1, θ2) plane — exactly
 * as the demo's report draws them (its Figures 1 and 2 come from here), and as docs/losses.md
 * embeds them: `npm run docs:figures` writes them to docs/figures/ with `writeMarginGeometryFigures`,
 * and test/report/margin-figures.test.ts checks that the committed files are what it writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARCFACE_FALLBACK_CURVES, LOSS_CURVES, targetLogitCurves } from './curves.js';
import { decisionBoundaryFigure, targetLogitFigure } from './figures.js';
import type { ReportFigure } from './report.js';

/** The target-logit figure and the decision-boundary figure (files target-logit.svg and decision-boundaries.svg). */
export async function marginGeometryFigures(): Promise<ReportFigure[]> {
  return [
    {
      file: 'target-logit.svg',
      title: 'Figure 1: target logit f(θ) of every loss and every fallback policy',
      svg: await targetLogitFigure([
        { title: 'The losses (cos units)', curves: targetLogitCurves(LOSS_CURVES) },
        { title: 'ArcFace under each fallback policy', curves: targetLogitCurves(ARCFACE_FALLBACK_CURVES) },
      ]),
      caption: "Computed by arcgrad's angularMargin op, the kernel training uses.",
    },
    {
      file: 'decision-boundaries.svg',
      title: 'Figure 2: binary decision boundaries in the (θ1, θ2) plane',
      svg: await decisionBoundaryFigure(targetLogitCurves(LOSS_CURVES)),
      caption: "The gap between the two class boundaries is the decision margin; the dashed diagonal is no margin. A line ends where f < −1 (no angle solves f(θ1) = cos θ2 there); dotted: ArcFace's fold-back past θ = π − m2, where 'none' lets f rise again.",
    },
  ];
}

/** Writes `marginGeometryFigures()` into `dir` (created if missing), byte for byte as the demo writes them; returns the paths written. */
export async function writeMarginGeometryFigures(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  return (await marginGeometryFigures()).map((f) => {
    const path = join(dir, f.file);
    writeFileSync(path, f.svg);
    return path;
  });
}
