/**
 * The checkpoint checksum: the browser build's SHA-256 in plain TypeScript against Node's
 * (node:crypto, what sha256.ts uses), on the FIPS vectors and on any text.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex as nodeSha256Hex } from '../../src/train/sha256.js';
// The browser variant, imported by its own name: a bundler substitutes it for sha256.ts.
import { sha256Hex } from '../../src/train/sha256.browser.js';
import { runs } from '../support/runs.js';

const RUNS = runs();
const nodeSha256 = (text: string) => createHash('sha256').update(text).digest('hex');

it('Node\'s sha256Hex is node:crypto\'s', () => {
  expect(nodeSha256Hex('abc')).toBe(nodeSha256('abc'));
});

describe('sha256Hex of the browser build', () => {
  it('gives the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with node:crypto on any text, lengths around the 64-byte block and its padding included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ minLength: 50, maxLength: 130 })), (text) => {
        expect(sha256Hex(text)).toBe(nodeSha256(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('agrees with node:crypto on a text of 256 kB', () => {
    const text = 'x'.repeat(1 << 18) + 'é';
    expect(sha256Hex(text)).toBe(nodeSha256(text));
  });
});
