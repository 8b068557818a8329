/**
 * `arcgrad bench`: the margin head's forward + backward (ArcFace s = 64, m = 0.5, exact gradient,
 * float32) timed for arcgrad's CPU paths and the tfjs peers side by side, alternating in one
 * process, with each result checked against arcgrad's float64 reference (the tape on the CPU
 * backend; at shapes too large for it, against the fast path, which the smaller shapes check), and
 * the peak resident memory of each contestant measured in a child process of its own.
 * `--json` prints one JSON object; otherwise a table (and `--markdown` the table for docs).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cpu } from '../backend/cpu.js';
import { shutdownFastPool } from '../backend/fast/pool.js';
import { benchBackends, type BenchBackend, type HeadOutput, type Problem } from '../bench/peers.js';
import { marginLoss } from '../losses/margin-head.js';
import { valueAndGrad } from '../tape/grad.js';
import { OptionError } from '../tensor/errors.js';
import { Random } from '../tensor/random.js';
import { formatOptions, parseArgs, type OptionSpec } from './args.js';

const specs: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: 'print one JSON object instead of the table' },
  markdown: { type: 'boolean', help: 'print the table as markdown (for docs/benchmarks.md)' },
  backend: { type: 'string', help: `comma-separated contestants (${benchBackends().map((b) => b.name).join(', ')}); default all` },
  shape: { type: 'string', help: 'comma-separated NxDxC shapes', default: '64x128x1000,128x512x10000,256x512x100000' },
  rounds: { type: 'number', help: 'timed rounds per contestant (default 15, 7, 3 by size)' },
  all: { type: 'boolean', help: 'also run slow paths at shapes beyond their default limit' },
  'skip-memory': { type: 'boolean', help: 'do not measure peak memory (no child processes)' },
  'skip-check': { type: 'boolean', help: 'do not check results against the float64 reference' },
  probe: { type: 'boolean', help: '(internal) run one contestant twice at one shape and print its peak RSS' },
  help: { type: 'boolean', help: 'show this help' },
};

/** The measurements of one contestant at one shape. */
export interface BenchEntry {
  medianMs?: number;
  minMs?: number;
  gflops?: number;
  ratioToFast?: number;
  peakRssMB?: number;
  lossError?: number;
  dXError?: number;
  dWError?: number;
  checkedAgainst?: string;
  skipped?: string;
}

function parseShape(s: string): [number, number, number] {
  const parts = s.trim().split('x').map(Number);
  if (parts.length !== 3 || parts.some((v) => !Number.isInteger(v) || v < 1)) throw new OptionError(`bench: --shape wants NxDxC, got '${s}'`);
  return parts as [number, number, number];
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

function reference(p: Problem): HeadOutput {
  const x = cpu.fromArray(p.x, [p.n, p.d], 'float64');
  const w = cpu.fromArray(p.w, [p.c, p.d], 'float64');
  const labels = Array.from(p.labels);
  const { value, grads } = valueAndGrad((a, b) => marginLoss(a, b, labels, { s: p.s, m2: p.m }))(x, w);
  return { loss: value.item(), dX: grads[0].toTypedArray(), dW: grads[1].toTypedArray() };
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return a.length !== b.length ? Infinity : num / den;
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

/** Runs `arcgrad bench`; see the file header. */
export async function runBench(argv: string[]): Promise<number> {
  const { options } = parseArgs(argv, specs, 'bench');
  if (options.help) {
    console.log(`Usage: arcgrad bench [--json] [--backend B] [--shape NxDxC]\n\n${formatOptions(specs)}`);
    return 0;
  }
  const known = benchBackends();
  const names = typeof options.backend === 'string' ? options.backend.split(',').map((s) => s.trim()) : known.map((b) => b.name);
  const chosen: BenchBackend[] = names.map((n) => {
    const b = known.find((k) => k.name === n);
    if (b === undefined) throw new OptionError(`bench: unknown backend '${n}' (known: ${known.map((k) => k.name).join(', ')})`);
    return b;
  });
  const shapes = String(options.shape).split(',').map(parseShape);
  const log = (s: string) => { if (!options.json) console.log(s); };

  if (options.probe) {
    const [n, d, c] = shapes[0];
    const prepared = await chosen[0].prepare(benchProblem(n, d, c));
    await prepared.activate?.();
    prepared.step();
    prepared.step();
    console.log(JSON.stringify({ peakRssMB: Number(peakRssMB().toFixed(0)) }));
    shutdownFastPool();
    return 0;
  }

  const result: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    workload: 'ArcFace s=64 m=0.5 exact gradient, float32, forward + backward (loss, dX, dW)',
    shapes: {} as Record<string, unknown>,
  };
  const table: string[][] = [];
  for (const [n, d, c] of shapes) {
    const key = `${n}x${d}x${c}`;
    const work = n * d * c;
    const p = benchProblem(n, d, c);
    const entries: Record<string, BenchEntry> = {};
    const loadBefore = load();
    log(`\n(${n}, ${d}, ${c})  load ${loadBefore.join(' ')}`);
    let ref: HeadOutput | undefined;
    let refName = 'float64 tape (cpu)';
    if (!options['skip-check'] && work <= 128 * 512 * 10_000) ref = reference(p);
    const live: { b: BenchBackend; prep: Awaited<ReturnType<BenchBackend['prepare']>>; times: number[] }[] = [];
    for (const b of chosen) {
      if (!options.all && b.maxWork !== undefined && work > b.maxWork) {
        entries[b.name] = { skipped: `slower path, not run beyond N·d·C = ${b.maxWork} (use --all)` };
        continue;
      }
      try {
        const prep = await b.prepare(p);
        await prep.activate?.();
        const out = prep.step(); // warm-up, and the result that is checked
        if (ref === undefined && !options['skip-check'] && b.name === 'fast') { ref = out; refName = 'fast (checked against the float64 tape at the smaller shapes)'; }
        const e: BenchEntry = {};
        if (ref !== undefined && out !== ref) {
          e.lossError = Math.abs(out.loss - ref.loss) / Math.abs(ref.loss);
          e.dXError = relErr(out.dX, ref.dX);
          e.dWError = relErr(out.dW, ref.dW);
          e.checkedAgainst = refName;
        }
        entries[b.name] = e;
        live.push({ b, prep, times: [] });
      } catch (err) {
        entries[b.name] = { skipped: `failed: ${(err as Error).message.split('\n')[0]}` };
      }
    }
    const rounds = typeof options.rounds === 'number' ? options.rounds : work <= 1e8 ? 15 : work <= 1e9 ? 7 : 3;
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? live : [...live].reverse(); // alternate, and alternate who goes first
      for (const l of order) {
        await l.prep.activate?.();
        const t0 = performance.now();
        l.prep.step();
        l.times.push(performance.now() - t0);
      }
    }
    for (const l of live) l.prep.dispose();
    const fastMs = live.find((l) => l.b.name === 'fast') ? median(live.find((l) => l.b.name === 'fast')!.times) : undefined;
    for (const l of live) {
      const e = entries[l.b.name];
      e.medianMs = median(l.times);
      e.minMs = Math.min(...l.times);
      e.gflops = (6 * work) / (e.medianMs * 1e6);
      if (fastMs !== undefined) e.ratioToFast = e.medianMs / fastMs;
    }
    if (!options['skip-memory']) for (const l of live) entries[l.b.name].peakRssMB = probeMemory(l.b.name, key);
    const loadAfter = load();
    (result.shapes as Record<string, unknown>)[key] = { loadBefore, loadAfter, rounds, checkedAgainst: refName, backends: entries };
    for (const [name, e] of Object.entries(entries)) {
      table.push([key, name, fmtMs(e.medianMs), e.ratioToFast === undefined ? '—' : `${e.ratioToFast.toFixed(2)}×`, e.gflops === undefined ? '—' : e.gflops.toFixed(2),
        e.peakRssMB === undefined ? '—' : `${e.peakRssMB.toFixed(0)}`, `${fmtE(e.lossError)} / ${fmtE(e.dXError)} / ${fmtE(e.dWError)}`, e.skipped ?? `load ${loadBefore[0]}→${loadAfter[0]}`]);
    }
  }
  shutdownFastPool();
  if (options.json) {
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  const head = ['shape', 'backend', 'median ms', '÷ fast', 'GFLOP/s', 'peak RSS MB', 'rel. err loss / dX / dW', 'note'];
  if (options.markdown) {
    console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
    for (const row of table) console.log(`| ${row.join(' | ')} |`);
  } else {
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
    console.log('\n' + head.map((h, i) => h.padEnd(widths[i])).join('  '));
    for (const row of table) console.log(row.map((v, i) => v.padEnd(widths[i])).join('  '));
  }
  console.log(`\nmachine: ${String((result.machine as { cpu: string }).cpu)}, ${cpus().length} cores, ${process.version}, ${String(result.date)}`);
  return 0;
}
