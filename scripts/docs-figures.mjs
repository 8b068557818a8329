#!/usr/bin/env node
// `npm run docs:figures`: writes the margin-geometry figures that docs/losses.md embeds —
// target-logit.svg and decision-boundaries.svg, the demo report's Figures 1 and 2, byte for byte —
// into docs/figures/. Runs on the compiled library (the npm script builds dist/ first).
// test/report/margin-figures.test.ts fails when the committed files differ from what this writes.
import { fileURLToPath } from 'node:url';
import { writeMarginGeometryFigures } from '../dist/report/index.js';

const dir = fileURLToPath(new URL('../docs/figures/', import.meta.url));
for (const path of await writeMarginGeometryFigures(dir)) console.log(`wrote ${path}`);
