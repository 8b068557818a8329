// Control for the fast path's thread measurements: does this machine give a process two cores?
// Two worker threads each spin for 1.5 s of wall clock; on two free cores the process gets about
// 3 CPU-seconds, on one free core about 1.5. Run: node bench/two-core-control.mjs
import { Worker } from 'node:worker_threads';

const spin = `const t = Date.now(); let x = 0; while (Date.now() - t < 1500) x += Math.sqrt(x + 1);
require('node:worker_threads').parentPort.postMessage(x);`;
const t0 = performance.now();
const c0 = process.cpuUsage();
await Promise.all([0, 1].map(() => new Promise((resolve) => new Worker(spin, { eval: true }).on('message', resolve))));
const used = process.cpuUsage(c0);
const wall = performance.now() - t0, cpu = (used.user + used.system) / 1000;
console.log(`wall ${wall.toFixed(0)} ms, CPU ${cpu.toFixed(0)} ms: ${(cpu / wall).toFixed(2)} cores in use`);
