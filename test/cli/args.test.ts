/**
 * src/cli/args.ts's integerOption: the one check of integer options (demo --epochs/--seed, toy --seed,
 * train --checkpoint-every/--stop-after), its wording and its bounds.
 */
import { describe, expect, it } from 'vitest';
import { integerOption, parseArgs } from '../../src/cli/args.js';
import { OptionError } from '../../src/tensor/errors.js';

const specs = { seed: { type: 'number', help: 's', default: 0 }, every: { type: 'number', help: 'e' } } as const;
const parse = (argv: string[]) => parseArgs(argv, specs, 'demo').options;

describe('integerOption', () => {
  it('gives the value, the default, or undefined when absent', () => {
    expect(integerOption(parse(['--seed', '7']), 'seed', 0, 'demo')).toBe(7);
    expect(integerOption(parse([]), 'seed', 0, 'demo')).toBe(0);
    expect(integerOption(parse([]), 'every', 1)).toBeUndefined();
    expect(integerOption(parse(['--every', '1']), 'every', 1)).toBe(1);
  });

  it('refuses a fraction or a value below its bound, in one line naming the command when given', () => {
    expect(() => integerOption(parse(['--seed', '-1']), 'seed', 0, 'demo')).toThrow(new OptionError('demo: --seed must be an integer ≥ 0, got -1'));
    expect(() => integerOption(parse(['--seed', '1.5']), 'seed', 0, 'toy')).toThrow(new OptionError('toy: --seed must be an integer ≥ 0, got 1.5'));
    expect(() => integerOption(parse(['--every', '0']), 'every', 1)).toThrow(new OptionError('--every must be an integer ≥ 1, got 0'));
  });
});
