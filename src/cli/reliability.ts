/**
 * `arcgrad reliability`: runs every scenario of docs/reliability.md (bad input, damaged files,
 * injected GPU faults) and the float32 precision measurement, and prints what happened. Exit 0
 * when every outcome is the expected one and every float32 result finite, 1 otherwise.
 * `--markdown` prints the page's two generated tables; `--write FILE` replaces them in FILE.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { allAsExpected, reliabilityReport, renderBlocks, replaceBlocks } from '../reliability/report.js';
import { OptionError } from '../tensor/errors.js';
import { formatOptions, parseArgs, type OptionSpec } from './args.js';

const specs: Record<string, OptionSpec> = {
  markdown: { type: 'boolean', help: 'print the two generated tables of docs/reliability.md' },
  write: { type: 'string', help: 'replace the generated tables in this file (docs/reliability.md)' },
  help: { type: 'boolean', help: 'show this help' },
};

/** Runs `arcgrad reliability`; `cli` is the CLI itself (its commands are among the scenarios). */
export async function runReliability(argv: string[], cli: (argv: string[]) => Promise<number>): Promise<number> {
  const { options, positional } = parseArgs(argv, specs, 'reliability');
  if (options.help) {
    console.log(`Usage: arcgrad reliability [--markdown | --write FILE]\n\nExit status: 0 every outcome as expected, 1 otherwise.\n\n${formatOptions(specs)}`);
    return 0;
  }
  if (positional.length > 0) throw new OptionError(`reliability: unexpected argument '${positional[0]}'`);
  const report = await reliabilityReport(cli);
  const blocks = renderBlocks(report);
  if (typeof options.write === 'string') {
    let doc: string;
    try {
      doc = readFileSync(options.write, 'utf8');
    } catch (e) {
      throw new OptionError(`reliability --write: cannot read ${options.write}: ${(e as Error).message}`);
    }
    try {
      writeFileSync(options.write, replaceBlocks(doc, blocks));
    } catch (e) {
      // No generated blocks in the file, or it cannot be written.
      throw new OptionError(`reliability --write ${options.write}: ${(e as Error).message}`);
    }
    console.log(`wrote the scenario and precision tables into ${options.write}`);
  } else if (options.markdown) {
    console.log(`${blocks.scenarios}\n\n${blocks.precision}\n\n${blocks.device}`);
  } else {
    for (const { scenario, outcome, ok } of report.scenarios) {
      console.log(`${ok ? 'ok ' : 'BAD'} ${scenario.area}: ${scenario.input}\n      expected ${scenario.expected}; ${outcome.kind}: ${outcome.text}`);
    }
    const cells = [...report.precision, ...report.device];
    const notFinite = cells.filter((c) => !c.finite).length;
    const worst = (k: 'loss' | 'grad') => Math.max(...cells.map((c) => c[k])).toExponential(1);
    console.log(
      `${report.scenarios.filter((r) => r.ok).length} of ${report.scenarios.length} scenarios as expected; ` +
        `float32 precision: ${cells.length} cells, ${notFinite} not finite, largest relative error loss ${worst('loss')}, gradients ${worst('grad')}`,
    );
  }
  return allAsExpected(report) ? 0 : 1;
}
