/**
 * A small, strict argument parser: `--name value`, `--name=value` and boolean `--flag`. Unknown
 * options are errors (a typo must not silently run with defaults).
 */
import { OptionError } from '../tensor/errors.js';

/** How one option is parsed. */
export interface OptionSpec {
  /** 'string' and 'number' take a value; 'boolean' does not. */
  type: 'string' | 'number' | 'boolean';
  /** One line for --help. */
  help: string;
  /** Default value shown in --help and used when absent. */
  default?: string | number | boolean;
}

/** Parsed options and positional arguments. */
export interface Parsed {
  options: Record<string, string | number | boolean | undefined>;
  positional: string[];
}

/** Parses `argv` against `specs`; throws an OptionError naming the bad option. */
export function parseArgs(argv: readonly string[], specs: Readonly<Record<string, OptionSpec>>, command: string): Parsed {
  const options: Parsed['options'] = {};
  for (const [name, spec] of Object.entries(specs)) options[name] = spec.default;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (spec === undefined) throw new OptionError(`${command}: unknown option --${name} (see arcgrad ${command} --help)`);
    if (spec.type === 'boolean') {
      if (eq >= 0) throw new OptionError(`${command}: --${name} takes no value`);
      options[name] = true;
      continue;
    }
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new OptionError(`${command}: --${name} needs a value`);
    if (spec.type === 'number') {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) throw new OptionError(`${command}: --${name} must be a number, got '${raw}'`);
      options[name] = value;
    } else options[name] = raw;
  }
  return { options, positional };
}

/**
 * The integer option `name` of parsed `options`, at least `min`; undefined when absent (no value
 * and no default). Anything else is an OptionError in the commands' one wording, prefixed by
 * `command` when given: "demo: --seed must be an integer ≥ 0, got 1.5".
 */
export function integerOption(options: Parsed['options'], name: string, min: number, command?: string): number | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < min) throw new OptionError(`${command === undefined ? '' : `${command}: `}--${name} must be an integer ≥ ${min}, got ${String(v)}`);
  return v as number;
}

/** The --help text of a command's options. */
export function formatOptions(specs: Readonly<Record<string, OptionSpec>>): string {
  return Object.entries(specs)
    .map(([name, s]) => {
      const head = `  --${name}${s.type === 'boolean' ? '' : ` <${s.type}>`}`;
      const def = s.default === undefined || s.default === false ? '' : ` (default: ${s.default})`;
      return `${head.padEnd(30)} ${s.help}${def}`;
    })
    .join('\n');
}
