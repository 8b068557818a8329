#!/usr/bin/env node
// `npm run bench`: builds arcgrad, then runs `arcgrad bench` (the margin head, forward + backward,
// at the three shapes, arcgrad's CPU paths and the tfjs peers alternating in one process).
// Extra arguments are passed on, e.g. `npm run bench -- --markdown` or `-- --shape 64x128x1000`.
import { run } from '../dist/cli/main.js';

process.exitCode = await run(['bench', ...process.argv.slice(2)]);
