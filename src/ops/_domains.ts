/** Domain builders shared by several op files (plain data; the tests turn them into generators). */
import type { DomainCase, InputDomain } from './op.js';

type Extra = Partial<Record<'a' | 'b', Partial<InputDomain>>>;

/** The broadcasting patterns of binary elementwise ops: same shape, row, column, scalar, vector. */
export function broadcastCases(extra: Extra): DomainCase<'a' | 'b'>[] {
  const pair = (name: string, a: InputDomain['shape'], b: InputDomain['shape']): DomainCase<'a' | 'b'> => ({
    name,
    inputs: { a: { ...extra.a, shape: a }, b: { ...extra.b, shape: b } },
  });
  return [
    pair('same shape', ['n', 'c'], ['n', 'c']),
    pair('row broadcast [n,c]∘[c]', ['n', 'c'], ['c']),
    pair('row broadcast [n,c]∘[1,c]', ['n', 'c'], [1, 'c']),
    pair('column broadcast [n,c]∘[n,1]', ['n', 'c'], ['n', 1]),
    pair('scalar [n,c]∘[]', ['n', 'c'], []),
    pair('broadcast left [c]∘[n,c]', ['c'], ['n', 'c']),
    pair('vectors', ['n'], ['n']),
  ];
}

/** One elementwise input of any rank ≤ 2 with the given value domain. */
export function elementwiseCases(domain: Partial<InputDomain>): DomainCase<'x'>[] {
  return [
    { name: 'matrix', inputs: { x: { ...domain, shape: ['n', 'c'] } } },
    { name: 'vector', inputs: { x: { ...domain, shape: ['n'] } } },
    { name: 'scalar', inputs: { x: { ...domain, shape: [] } } },
  ];
}
