/**
 * `arcgrad check FILE.json`: recompute each case of a case file and report, per case, arcgrad's
 * loss and the relative errors of the file's loss, dX and dW. Exit 0 when every case passes, 1
 * when one fails, 2 when the file cannot be read. `--emit FILE.json` writes cases instead
 * (`--margins` writes one per defined margin instead). A case may name a defined margin: an example, or
 * one from the user's `--margin-module`.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { CaseFileError, compareCase, computeCaseFused, defaultTolerance, fusedHeadRefusal, emitCases, parseCaseFile, runCase, type CaseResult } from '../check/cases.js';
import { GpujsMarginHead } from '../backend/gpujs/head.js';
import { assertDType, type DType } from '../tensor/dtype.js';
import { ArcgradError, DTypeError, OptionError } from '../tensor/errors.js';
import { formatOptions, parseArgs, type OptionSpec } from './args.js';
import { resolveBackendOption } from './backend-option.js';
import { BACKEND_OPTION_HELP } from '../backend/select.js';
import { registeredMargins } from '../losses/define-margin.js';
import { readNpzCase, runArrayCase } from '../check/npz-case.js';
import { ProgressBar } from './progress.js';
import { MARGIN_MODULE_SPEC, loadMarginModules } from './margin-module.js';

const specs: Record<string, OptionSpec> = {
  tol: { type: 'number', help: 'largest relative error that passes (default 1e-8 for float64, 1e-3 for float32)' },
  dtype: { type: 'string', help: 'float64 or float32: what arcgrad computes in', default: 'float64' },
  backend: { type: 'string', help: BACKEND_OPTION_HELP, default: 'cpu' },
  json: { type: 'boolean', help: 'print one JSON object instead of the table' },
  emit: { type: 'string', help: 'write a case file with arcgrad\'s values to this path instead of checking' },
  seed: { type: 'number', help: 'seed of the emitted cases', default: 1 },
  margins: { type: 'string', help: 'with --emit: one case per defined margin instead: all, or comma-separated names' },
  'margin-module': MARGIN_MODULE_SPEC,
  help: { type: 'boolean', help: 'show this help' },
};

const usage = `Usage: arcgrad check FILE.json [options]
       arcgrad check - [options]            (the case file on standard input: python dump.py | arcgrad check -)
       arcgrad check FILE.npz [options]     (one case, arrays in a numpy .npz, options as JSON in its member 'case')
       arcgrad check --emit FILE.json [--seed N] [--margins all|NAME,…]

Recomputes the margin loss and its gradients for each case in FILE.json and compares them with the
file's loss, dX and dW (normwise relative error ‖ours − theirs‖∞ / ‖theirs‖∞).
With --json, an error that is NaN or ±Infinity (the file's value was) is written as the string
"NaN", "Infinity" or "-Infinity" (JSON has no such numbers).
Exit status: 0 all passed, 1 a case failed, 2 unreadable input.`;

/** A number for --json: finite numbers as they are, NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity". */
export function jsonNumber(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** The case file's text: FILE, or standard input for '-' (read to its end). */
function readCaseText(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    throw new CaseFileError(`cannot read ${path === '-' ? 'standard input' : path}: ${(e as Error).message}`);
  }
}

const fmt = (e: number | undefined) => (e === undefined ? '—' : e.toExponential(2));

/** Runs `arcgrad check`. */
export async function runCheck(argv: string[]): Promise<number> {
  const { options, positional } = parseArgs(argv, specs, 'check');
  if (options.help) {
    console.log(`${usage}\n\n${formatOptions(specs)}`);
    return 0;
  }
  await loadMarginModules(options['margin-module']);
  if (options.margins !== undefined && typeof options.emit !== 'string') throw new OptionError('check: --margins goes with --emit');
  if (typeof options.emit === 'string') {
    const seed = Number(options.seed);
    if (!Number.isInteger(seed)) throw new OptionError(`check: --seed must be an integer, got ${seed}`);
    const margins = options.margins === undefined ? [] : String(options.margins) === 'all' ? registeredMargins() : String(options.margins).split(',').map((n) => n.trim());
    const cases = emitCases(seed, margins);
    const tmp = `${options.emit}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, JSON.stringify({ cases }, null, 1));
      renameSync(tmp, options.emit); // a reader never sees half a file
    } catch (e) {
      rmSync(tmp, { force: true });
      const code = (e as NodeJS.ErrnoException).code;
      throw new CaseFileError(`cannot write ${options.emit}: ${code === 'ENOENT' ? 'its folder does not exist' : (code ?? (e as Error).message)}`);
    }
    console.log(`wrote ${cases.length} cases to ${options.emit}`);
    return 0;
  }
  if (positional.length !== 1) throw new OptionError(`check: expected one case file, got ${positional.length} (see arcgrad check --help)`);
  const dtype = options.dtype as DType;
  assertDType(dtype, 'check --dtype');
  const tol = options.tol === undefined ? defaultTolerance(dtype) : Number(options.tol);
  if (!(tol >= 0)) throw new OptionError(`check: --tol must be ≥ 0, got ${tol}`);
  // On WebGPU the cases go through the fused margin head, driven asynchronously in this thread.
  const webgpu = options.backend === 'gpu.js:webgpu';
  if (webgpu && dtype !== 'float32') throw new DTypeError('--backend gpu.js:webgpu computes in float32; add --dtype float32');
  const head = webgpu ? await GpujsMarginHead.create('webgpu') : undefined;
  if (head) console.error(`backend: ${head.name} (float32) on ${head.device}: asked for; the fused margin head (src/backend/gpujs/head.ts)`);
  const backend = head ? undefined : await resolveBackendOption(String(options.backend), dtype);
  const backendName = head?.name ?? backend!.name;
  const path = positional[0];
  const npz = path.toLowerCase().endsWith('.npz');
  if (npz && head) throw new OptionError('check: an .npz case runs on the tape backends, not --backend gpu.js:webgpu');
  const arrayCase = npz ? await readNpzCase(path) : undefined;
  const cases = arrayCase ? [arrayCase.options] : parseCaseFile(readCaseText(path));
  const results: CaseResult[] = [];
  // Cases the fused head does not compute (defined margins, binary heads, tape-only conventions): named, not failed.
  const skipped: { name: string; reason: string }[] = [];
  if (arrayCase) {
    const { C } = arrayCase.options;
    const bar = new ProgressBar({ total: 100, label: `check ${arrayCase.options.name}` }); // percent of both passes
    results.push(runArrayCase(arrayCase, {
      tol, dtype, backend,
      onProgress: (pass, done, blocks) => {
        bar.update(Math.round(((pass - 1) / 2 + done / blocks / 2) * 100), `pass ${pass}/2, ${Math.min(C, Math.round((done / blocks) * C))} of ${C} classes`);
      },
    }));
    bar.finish(100);
  }
  for (const c of arrayCase ? [] : cases) {
    const refusal = head ? fusedHeadRefusal(c) : undefined;
    if (refusal !== undefined) {
      skipped.push({ name: c.name, reason: refusal });
      continue;
    }
    try {
      results.push(head ? compareCase(c, await computeCaseFused(c, head), tol) : runCase(c, { tol, dtype, backend }));
    } catch (e) {
      // A case arcgrad refuses to compute (s ≤ 0, a margin that overflows…): say which one.
      if (e instanceof ArcgradError) e.message = `case '${c.name}': ${e.message}`;
      throw e;
    }
  }
  const passed = results.filter((r) => r.pass).length;
  const failed = results.length - passed;
  if (results.length === 0) throw new OptionError(`check: ${backendName} computes none of the ${skipped.length} cases (${skipped[0]?.reason ?? 'no cases'})`);
  const skippedNote = skipped.length > 0 ? `, ${skipped.length} skipped` : '';
  if (options.json) {
    console.log(JSON.stringify({ backend: backendName, dtype, tol, passed, failed, skipped: skipped.length, cases: results, skippedCases: skipped }, jsonNumber, 1));
  } else {
    const width = Math.max(4, ...results.map((r) => r.name.length));
    console.log(`arcgrad check: ${results.length} cases on ${backendName} in ${dtype}, tolerance ${tol}`);
    console.log(`${'case'.padEnd(width)}  ${'loss'.padStart(22)}  ${'rel loss'.padStart(9)}  ${'rel dX'.padStart(9)}  ${'rel dW'.padStart(9)}  result`);
    for (const r of results) {
      console.log(`${r.name.padEnd(width)}  ${r.loss.toPrecision(17).padStart(22)}  ${fmt(r.errors.loss).padStart(9)}  ${fmt(r.errors.dX).padStart(9)}  ${fmt(r.errors.dW).padStart(9)}  ${r.pass ? 'pass' : 'FAIL'}`);
    }
    for (const k of skipped) console.log(`${k.name.padEnd(width)}  skipped: ${k.reason}`);
    console.log(`${passed} passed, ${failed} failed${skippedNote}`);
  }
  return failed === 0 ? 0 : 1;
}
