/**
 * `arcgrad bench`: the margin head's forward + backward (ArcFace s = 64, m = 0.5, exact gradient,
 * float32) timed for arcgrad's CPU paths and the tfjs peers side by side, alternating in one
 * process, with each result checked against arcgrad's float64 reference (the tape on the CPU
 * backend; at shapes too large for it, against the fast path, which the smaller shapes check), and
 * the peak resident memory of each contestant measured in a child process of its own. The shape
 * `toy` is the tape-overhead comparison instead: one training step of the demo's 2-D toy model
 * (src/bench/toy.ts), the tape in float64 and float32 against tfjs, checked against the float64 tape.
 * `--json` prints one JSON object; otherwise a table (and `--markdown` the table for docs).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cpu } from '../backend/cpu.js';
import { shutdownFastPool } from '../backend/wasm/pool.js';
import { parseHeadShape } from '../bench/problem.js';
import { relativeError } from '../check/tolerance.js';
import { benchBackends, type HeadOutput, type Problem } from '../bench/peers.js';
import { toyContestants, toyProblem, trainContestants, trainProblem, type ToyContestant, type ToyOutput, type ToyProblem } from '../bench/toy.js';

/** The two training-step workloads (src/bench/toy.ts): problem, contestants, timing and the ratio's reference. */
const STEP_WORKLOADS = {
  toy: { problem: toyProblem, contestants: toyContestants, rounds: 15, stepsPerSample: 10, ratioTo: 'tfjs-cpu' },
  train: { problem: trainProblem, contestants: trainContestants, rounds: 7, stepsPerSample: 1, ratioTo: 'tape-wasm' },
} as const;
type StepWorkload = keyof typeof STEP_WORKLOADS;
const isStepWorkload = (s: unknown): s is StepWorkload => s === 'toy' || s === 'train';
import { marginLoss } from '../losses/margin-head.js';
import { valueAndGrad } from '../tape/grad.js';
import { OptionError } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';
import { formatOptions, parseArgs, type OptionSpec } from './args.js';

const specs: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'print one JSON object instead of the table' },
  markdown: { type: 'boolean', help: 'print the table as markdown (for docs/benchmarks.md)' },
  backend: { type: 'string', help: `comma-separated contestants (head: ${benchBackends().map((b) => b.name).join(', ')}; toy: ${toyContestants.map((b) => b.name).join(', ')}; train: ${trainContestants.map((b) => b.name).join(', ')}); default all` },
  shape: { type: 'string', help: "comma-separated NxDxC shapes, 'toy' for the tape-overhead step and 'train' for the float32 training step (MLP 1024→512→128, ArcFace C = 2,000, batch 256)", default: '64x128x1000,128x512x10000,256x512x100000,toy,train' },
  rounds: { type: 'number', help: 'timed rounds per contestant (default 15, 7, 3 by size; 15 for toy, 7 for train)' },
  all: { type: 'boolean', help: 'also run slow paths at shapes beyond their default limit' },
  'skip-memory': { type: 'boolean', help: 'do not measure peak memory (no child processes)' },
  'skip-check': { type: 'boolean', help: 'do not check results against the float64 reference' },
  probe: { type: 'boolean', help: '(internal) run one contestant twice at one shape and print its peak RSS' },
  help: { type: 'boolean', help: 'show this help' },
};

/** The measurements of one contestant at one shape (absent fields: not measured or not run). */
export interface BenchEntry {
  /** Median milliseconds of one forward + backward (toy: of one training step). */
  medianMs?: number;
  /** Fastest of the timed runs, ms. */
  minMs?: number;
  /**
   * Median CPU time of the process per step, ms (all its threads: user + system). Less sensitive
   * to other processes' load than the wall clock; work / cpuMs is the throughput per busy core.
   */
  cpuMs?: number;
  /** 6·N·d·C / median time (the head's three products), GFLOP/s. */
  gflops?: number;
  /** medianMs over the shape's reference contestant's (`ratioTo`). */
  ratio?: number;
  /** Peak resident memory of a process running only this contestant (setup + two steps), MB. */
  peakRssMB?: number;
  /** |Δloss| / |loss| against the shape's reference result. */
  lossError?: number;
  /** ‖ΔdX‖∞ / ‖dX‖∞. */
  dXError?: number;
  /** ‖ΔdW‖∞ / ‖dW‖∞. */
  dWError?: number;
  /** Toy: the largest ‖Δg‖∞ / ‖g‖∞ over the parameters. */
  gradError?: number;
  /** Why it did not run. */
  skipped?: string;
}

/** A reproducible problem: X, W standard normal, labels uniform, ArcFace s = 64, m = 0.5. */
export function benchProblem(n: number, d: number, c: number, seed = 7): Problem {
  const r = new Random(seed);
  const x = new Float32Array(n * d);
  const w = new Float32Array(c * d);
  for (let i = 0; i < x.length; i++) x[i] = r.normal();
  for (let i = 0; i < w.length; i++) w[i] = r.normal();
  const labels = Int32Array.from({ length: n }, () => Math.floor(r.uniform() * c));
  return { n, d, c, x, w, labels, s: 64, m: 0.5 };
}

/** The toy step's reference result: contestant `b` (the float64 tape), untimed. */
async function reference(b: ToyContestant, p: ToyProblem): Promise<ToyOutput> {
  const prep = await b.prepare(p);
  const out = prep.step();
  prep.dispose();
  return out;
}

/** The head's reference result: the tape on the CPU backend in float64. */
function headReference(p: Problem): HeadOutput {
  const x = cpu.fromArray(p.x, [p.n, p.d], 'float64');
  const w = cpu.fromArray(p.w, [p.c, p.d], 'float64');
  const labels = Array.from(p.labels);
  const { value, grads } = valueAndGrad((a, b) => marginLoss(a, b, labels, { s: p.s, m2: p.m }))(x, w);
  return { loss: value.item(), dX: grads[0].toTypedArray(), dW: grads[1].toTypedArray() };
}

/**
 * The largest error over the toy's parameters, each relative to max(‖g‖∞, 10⁻³·the largest ‖g‖∞):
 * fc1.b's gradient is 0 in exact arithmetic (batch norm follows fc1), so it is rounding alone.
 */
function toyGradError(out: ToyOutput, ref: ToyOutput): number {
  const norm = (g: ArrayLike<number>) => { let m = 0; for (let i = 0; i < g.length; i++) m = Math.max(m, Math.abs(g[i])); return m; };
  const largest = Math.max(...Object.values(ref.grads).map(norm));
  let worst = 0;
  for (const [k, g] of Object.entries(ref.grads)) {
    const got = out.grads[k];
    if (got === undefined) return Infinity;
    worst = Math.max(worst, relativeError(got, g, 1e-3 * largest));
  }
  return worst;
}

const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
/**
 * This process's peak resident memory, MB: VmHWM from /proc where there is one (getrusage's
 * maxRSS is inherited from the parent across fork + exec on Linux, so a child probe would report
 * the parent's peak), else maxRSS.
 */
function peakRssMB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
const load = () => loadavg().map((v) => Number(v.toFixed(2)));

function binPath(): string {
  return fileURLToPath(new URL('../../bin/arcgrad.js', import.meta.url));
}

/** Peak RSS of `backend` alone at `shape`, in a child process (two steps after setup). */
function probeMemory(backend: string, shape: string): number | undefined {
  const r = spawnSync(process.execPath, [binPath(), 'bench', '--probe', '--json', '--backend', backend, '--shape', shape], { encoding: 'utf8', maxBuffer: 1 << 20 });
  try {
    return (JSON.parse(r.stdout) as { peakRssMB: number }).peakRssMB;
  } catch {
    return undefined;
  }
}

const fmtMs = (v: number | undefined) => (v === undefined ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(0));
const fmtE = (v: number | undefined) => (v === undefined ? '—' : v.toExponential(1));

/** A prepared contestant of either kind, as the timing loop sees it. */
interface Live<O> {
  name: string;
  prep: { activate?(): Promise<void>; step(): O; dispose(): void };
  times: number[];
  cpu: number[];
}

/**
 * Times every contestant `rounds` times, alternating (round r runs each once, in reversed order
 * every other round, so that none always goes first); each sample is `reps` steps, per step.
 */
async function timeAlternating<O>(live: Live<O>[], rounds: number, reps: number): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? live : [...live].reverse();
    for (const l of order) {
      await l.prep.activate?.();
      const u0 = process.cpuUsage();
      const t0 = performance.now();
      for (let k = 0; k < reps; k++) l.prep.step();
      l.times.push((performance.now() - t0) / reps);
      const u = process.cpuUsage(u0);
      l.cpu.push((u.user + u.system) / 1000 / reps);
    }
  }
}

/** Medians, minima and ratios to `refName` (when it ran) into `entries`. */
function summarize<O>(live: Live<O>[], entries: Record<string, BenchEntry>, refName: string, work?: number): void {
  const ref = live.find((l) => l.name === refName);
  const refMs = ref === undefined ? undefined : median(ref.times);
  for (const l of live) {
    const e = entries[l.name];
    e.medianMs = median(l.times);
    e.minMs = Math.min(...l.times);
    e.cpuMs = median(l.cpu);
    if (work !== undefined) e.gflops = (6 * work) / (e.medianMs * 1e6);
    if (refMs !== undefined) e.ratio = e.medianMs / refMs;
  }
}

/** The contestants named in `names` (all when undefined) among `known`. */
function pick<T extends { name: string }>(known: readonly T[], names: string[] | undefined): T[] {
  return names === undefined ? [...known] : known.filter((k) => names.includes(k.name));
}

/** Runs `arcgrad bench`; see the file header. */
export async function runBench(argv: string[]): Promise<number> {
  const { options } = parseArgs(argv, specs, 'bench');
  if (options.help) {
    console.log(`Usage: arcgrad bench [--json] [--backend B] [--shape NxDxC|toy|train]\n\n${formatOptions(specs)}\n\n` +
      'Exit status: 0 when the run completes (a contestant that fails or is skipped says so in its row), 2 for a bad option.');
    return 0;
  }
  const known = benchBackends();
  const names = typeof options.backend === 'string' ? options.backend.split(',').map((s) => s.trim()) : undefined;
  for (const n of names ?? []) {
    if (!known.some((k) => k.name === n) && !toyContestants.some((k) => k.name === n) && !trainContestants.some((k) => k.name === n)) {
      throw new OptionError(`unknown backend '${n}' (known: ${[...new Set([...known, ...toyContestants, ...trainContestants].map((k) => k.name))].join(', ')})`);
    }
  }
  const shapes = String(options.shape).split(',').map((s) => (isStepWorkload(s.trim()) ? (s.trim() as StepWorkload) : parseHeadShape(s)));
  const log = (s: string) => { if (!options.json) console.log(s); };
  const check = !options['skip-check'];

  if (options.probe) {
    const shape = shapes[0];
    if (isStepWorkload(shape)) {
      const prepared = await pick(STEP_WORKLOADS[shape].contestants, names)[0].prepare(STEP_WORKLOADS[shape].problem());
      await prepared.activate?.();
      prepared.step();
      prepared.step();
    } else {
      const [n, d, c] = shape;
      const prepared = await pick(known, names)[0].prepare(benchProblem(n, d, c));
      await prepared.activate?.();
      prepared.step();
      prepared.step();
    }
    console.log(JSON.stringify({ peakRssMB: Number(peakRssMB().toFixed(0)) }));
    shutdownFastPool();
    return 0;
  }

  const result: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    workload: 'ArcFace s=64 m=0.5 exact gradient, float32, forward + backward (loss, dX, dW); toy: one training step of the 2-D toy model; train: one float32 training step (forward, backward, SGD) of an MLP 1024→512→128 (PReLU, batch norm) under ArcFace with C = 2,000, batch 256',
    shapes: {} as Record<string, unknown>,
  };
  const table: string[][] = [];
  const memory = (entries: Record<string, BenchEntry>, live: { name: string }[], key: string) => {
    if (!options['skip-memory']) for (const l of live) entries[l.name].peakRssMB = probeMemory(l.name, key);
  };
  const addRows = (key: string, entries: Record<string, BenchEntry>, note: string, work?: number) => {
    for (const [name, e] of Object.entries(entries)) {
      const err = e.gradError !== undefined ? `${fmtE(e.lossError)} / ${fmtE(e.gradError)} (all params)` : `${fmtE(e.lossError)} / ${fmtE(e.dXError)} / ${fmtE(e.dWError)}`;
      const perCore = e.cpuMs === undefined || work === undefined ? '—' : ((6 * work) / (e.cpuMs * 1e6)).toFixed(1);
      table.push([key, name, fmtMs(e.medianMs), e.ratio === undefined ? '—' : `${e.ratio.toFixed(2)}×`, e.gflops === undefined ? '—' : e.gflops.toFixed(2), fmtMs(e.cpuMs), perCore,
        e.peakRssMB === undefined ? '—' : `${e.peakRssMB.toFixed(0)}`, err, e.skipped ?? note]);
    }
  };

  for (const shape of shapes) {
    if (isStepWorkload(shape)) {
      const workload = STEP_WORKLOADS[shape];
      const chosen = pick(workload.contestants, names);
      if (chosen.length === 0) continue;
      const p = workload.problem();
      const entries: Record<string, BenchEntry> = {};
      const loadBefore = load();
      log(`\n${shape} step (batch ${p.n}, MLP ${p.inputs}→${p.hidden}→${p.embedding}, ArcFace over ${p.classes} classes)  load ${loadBefore.join(' ')}`);
      const ref = check ? await reference(workload.contestants[0], p) : undefined;
      const live: Live<ToyOutput>[] = [];
      for (const b of chosen) {
        try {
          const prep = await b.prepare(p);
          await prep.activate?.();
          const out = prep.step();
          const e: BenchEntry = {};
          if (ref !== undefined) {
            e.lossError = relativeError(out.loss, ref.loss);
            e.gradError = toyGradError(out, ref);
          }
          entries[b.name] = e;
          live.push({ name: b.name, prep, times: [], cpu: [] });
        } catch (err) {
          entries[b.name] = { skipped: `failed: ${(err as Error).message.split('\n')[0]}` };
        }
      }
      const rounds = typeof options.rounds === 'number' ? options.rounds : workload.rounds;
      await timeAlternating(live, rounds, workload.stepsPerSample);
      for (const l of live) l.prep.dispose();
      summarize(live, entries, workload.ratioTo);
      memory(entries, live, shape);
      const loadAfter = load();
      (result.shapes as Record<string, unknown>)[shape] = { loadBefore, loadAfter, rounds, stepsPerSample: workload.stepsPerSample, ratioTo: workload.ratioTo, checkedAgainst: ref ? workload.contestants[0].name : undefined, backends: entries };
      addRows(shape, entries, `load ${loadBefore[0]}→${loadAfter[0]}`);
      continue;
    }
    const [n, d, c] = shape;
    const key = `${n}x${d}x${c}`;
    const chosen = pick(known, names);
    if (chosen.length === 0) continue;
    const work = n * d * c;
    const p = benchProblem(n, d, c);
    const entries: Record<string, BenchEntry> = {};
    const loadBefore = load();
    log(`\n(${n}, ${d}, ${c})  load ${loadBefore.join(' ')}`);
    let ref: HeadOutput | undefined;
    let refName = 'float64 tape (cpu)';
    if (check && work <= 128 * 512 * 10_000) ref = headReference(p);
    const live: Live<HeadOutput>[] = [];
    for (const b of chosen) {
      if (!options.all && b.maxWork !== undefined && work > b.maxWork) {
        entries[b.name] = { skipped: `slower path, not run beyond N·d·C = ${b.maxWork} (use --all)` };
        continue;
      }
      try {
        const prep = await b.prepare(p);
        await prep.activate?.();
        const out = prep.step(); // warm-up, and the result that is checked
        if (ref === undefined && check && b.name === 'fast') { ref = out; refName = 'fast (checked against the float64 tape at the smaller shapes)'; }
        const e: BenchEntry = {};
        if (ref !== undefined && out !== ref) {
          e.lossError = relativeError(out.loss, ref.loss);
          e.dXError = relativeError(out.dX, ref.dX);
          e.dWError = relativeError(out.dW, ref.dW);
        }
        entries[b.name] = e;
        live.push({ name: b.name, prep, times: [], cpu: [] });
      } catch (err) {
        entries[b.name] = { skipped: `failed: ${(err as Error).message.split('\n')[0]}` };
      }
    }
    const rounds = typeof options.rounds === 'number' ? options.rounds : work <= 1e8 ? 15 : work <= 1e9 ? 7 : 3;
    await timeAlternating(live, rounds, 1);
    for (const l of live) l.prep.dispose();
    summarize(live, entries, 'fast', work);
    memory(entries, live, key);
    const loadAfter = load();
    (result.shapes as Record<string, unknown>)[key] = { loadBefore, loadAfter, rounds, ratioTo: 'fast', checkedAgainst: check ? refName : undefined, backends: entries };
    addRows(key, entries, `load ${loadBefore[0]}→${loadAfter[0]}`, work);
  }
  shutdownFastPool();
  if (options.json) {
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  const head = ['shape', 'backend', 'median ms', 'ratio', 'GFLOP/s', 'CPU ms', 'GFLOP/CPU-s', 'peak RSS MB', 'rel. err loss / dX / dW', 'note'];
  if (options.markdown) {
    console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
    for (const row of table) console.log(`| ${row.join(' | ')} |`);
  } else {
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
    console.log('\n' + head.map((h, i) => h.padEnd(widths[i])).join('  '));
    for (const row of table) console.log(row.map((v, i) => v.padEnd(widths[i])).join('  '));
  }
  console.log(`\nratio: median over fast's (head shapes) tfjs-cpu's (toy) or tape-wasm's (train); CPU ms: the process's CPU time per step (all threads); GFLOP/CPU-s: 6·N·d·C per CPU second`);
  console.log(`machine: ${String((result.machine as { cpu: string }).cpu)}, ${cpus().length} cores, ${process.version}, ${String(result.date)}`);
  return 0;
}
