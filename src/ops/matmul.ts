/**
 * matmul: P = op(A)·op(B), where op(M) is M or Mᵀ (`transA`, `transB`).
 *
 *   P = A·B      dA = dP·Bᵀ        dB = Aᵀ·dP
 *   P = Aᵀ·B     dA = B·dPᵀ        dB = A·dP
 *   P = A·Bᵀ     dA = dP·B         dB = dPᵀ·A
 *   P = Aᵀ·Bᵀ    dA = Bᵀ·dPᵀ       dB = dPᵀ·Aᵀ
 *
 * Each row follows from dL = ⟨dP, dA·B + A·dB⟩ = ⟨dP·Bᵀ, dA⟩ + ⟨Aᵀ·dP, dB⟩ and transposing.
 * The cosine matrix of a margin head is matmul(x̂, ŵ, { transB: true }).
 * Derivation: docs/ops.md#matmul
 */
import { ShapeError, formatShape } from '../tensor/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { expectRank } from './_shapes.js';
import { defineOp } from './op.js';

/** Which operands matmul transposes. */
export interface MatmulOptions {
  /** Use Aᵀ in place of A. */
  transA?: boolean;
  /** Use Bᵀ in place of B. */
  transB?: boolean;
}

const mats = { a: { shape: ['n', 'k'] }, b: { shape: ['k', 'm'] } } as const;

export const matmulOp = defineOp<'a' | 'b', Required<MatmulOptions>>({
  name: 'matmul',
  summary: 'P = op(A)·op(B), with optional transposes',
  docs: 'docs/ops.md#matmul',
  inputs: ['a', 'b'],
  domain: [
    { name: 'A·B', inputs: mats, attrs: { transA: { kind: 'const', value: false }, transB: { kind: 'const', value: false } } },
    { name: 'Aᵀ·B', inputs: { a: { shape: ['k', 'n'] }, b: { shape: ['k', 'm'] } }, attrs: { transA: { kind: 'const', value: true }, transB: { kind: 'const', value: false } } },
    { name: 'A·Bᵀ', inputs: { a: { shape: ['n', 'k'] }, b: { shape: ['m', 'k'] } }, attrs: { transA: { kind: 'const', value: false }, transB: { kind: 'const', value: true } } },
    { name: 'Aᵀ·Bᵀ', inputs: { a: { shape: ['k', 'n'] }, b: { shape: ['m', 'k'] } }, attrs: { transA: { kind: 'const', value: true }, transB: { kind: 'const', value: true } } },
  ],
  validate({ a, b }, { transA, transB }) {
    expectRank('matmul', 'a', a, 2);
    expectRank('matmul', 'b', b, 2);
    const k1 = transA ? a.shape[0] : a.shape[1];
    const k2 = transB ? b.shape[1] : b.shape[0];
    if (k1 !== k2) {
      throw new ShapeError(
        `matmul: ${transA ? 'Aᵀ' : 'A'} is ${transA ? formatShape([a.shape[1], a.shape[0]]) : formatShape(a.shape)} ` +
          `but ${transB ? 'Bᵀ' : 'B'} is ${transB ? formatShape([b.shape[1], b.shape[0]]) : formatShape(b.shape)}: ` +
          `inner dimensions ${k1} and ${k2} differ`,
      );
    }
  },
  forward: (be, { a, b }, { transA, transB }) => be.matmul(a, b, transA, transB),
  vjp: (be, { a, b }, _c, dc, { transA, transB }) => ({
    a: () =>
      transA
        ? be.matmul(b, dc, transB, true) // Aᵀ·op(B): dA = op(B)·dCᵀ
        : be.matmul(dc, b, false, !transB), // A·op(B):  dA = dC·op(B)ᵀ
    b: () =>
      transB
        ? be.matmul(dc, a, true, transA) // op(A)·Bᵀ: dB = dCᵀ·op(A)
        : be.matmul(a, dc, !transA, false), // op(A)·B:  dB = op(A)ᵀ·dC
  }),
});

/** C = op(A)·op(B). `matmul(x, w, { transB: true })` is x·wᵀ. */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  return matmulOp.apply({ a, b }, { transA: options.transA ?? false, transB: options.transB ?? false });
}
