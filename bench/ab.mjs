#!/usr/bin/env node
// A/B of two builds of the fused head (before/after a change), alternating in one process so that
// both see the same load: `node bench/ab.mjs DIST_A DIST_B [NxDxC] [rounds] [threads]`, where
// DIST_A and DIST_B are copies of dist/ (e.g. `git stash && npm run build && cp -r dist /tmp/a`).
// Prints the results' agreement, then the medians of wall-clock and of CPU time per call (CPU time
// is the better measure on a loaded machine: it does not count the time others' processes run).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [A, B, shape = '128x512x10000', rounds = '15', threads = '1'] = process.argv.slice(2);
if (A === undefined || B === undefined) {
  console.error('usage: node bench/ab.mjs DIST_A DIST_B [NxDxC] [rounds] [threads]');
  process.exit(2);
}
// the head moved from backend/fast/margin-head.js to losses/fast-margin-head.js: take either
const load = async (dist) => {
  for (const f of ['losses/fast-margin-head.js', 'backend/fast/margin-head.js']) {
    try {
      return (await import(pathToFileURL(path.resolve(dist, f)).href)).fastMarginHeadArrays;
    } catch {
      // older or newer layout
    }
  }
  throw new Error(`no fastMarginHeadArrays under ${dist}`);
};
const fa = await load(A), fb = await load(B);
const { benchProblem } = await import(pathToFileURL(path.resolve(B, 'cli/bench.js')).href);
const [n, d, c] = shape.split('x').map(Number);
const p = benchProblem(n, d, c);
const o = { s: 64, m2: 0.5, gradient: 'exact' };
const run = (f) => f(p.x, p.w, p.labels, n, d, c, o, { threads: Number(threads) });
const ra = run(fa), rb = run(fb);
// the one rule (src/check/tolerance.ts), from build B
const { relativeError: rel } = await import(pathToFileURL(path.resolve(B, 'check/tolerance.js')).href);
console.log(`loss ${ra.loss} vs ${rb.loss}; dX rel ${rel(rb.dX, ra.dX).toExponential(1)}, dW rel ${rel(rb.dW, ra.dW).toExponential(1)}`);
const wall = { a: [], b: [] }, cpu = { a: [], b: [] };
for (let r = 0; r < Number(rounds); r++) {
  for (const k of r % 2 ? ['a', 'b'] : ['b', 'a']) {
    const u0 = process.cpuUsage(), t0 = performance.now();
    run(k === 'a' ? fa : fb);
    wall[k].push(performance.now() - t0);
    const u = process.cpuUsage(u0);
    cpu[k].push((u.user + u.system) / 1000);
  }
}
const med = (v) => { const s = [...v].sort((x, y) => x - y); return s[s.length >> 1]; };
console.log(`wall ms: A ${med(wall.a).toFixed(1)}  B ${med(wall.b).toFixed(1)}  B/A ${(med(wall.b) / med(wall.a)).toFixed(3)}`);
console.log(`CPU ms:  A ${med(cpu.a).toFixed(1)}  B ${med(cpu.b).toFixed(1)}  B/A ${(med(cpu.b) / med(cpu.a)).toFixed(3)}`);
process.exit(0); // the worker pools of both builds are unref'd, but exit at once
