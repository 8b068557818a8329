/** Helpers for the docs tests: read a page, find its code blocks, check what it shows. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const docs = fileURLToPath(new URL('..', import.meta.url));
const examples = fileURLToPath(new URL('.', import.meta.url));

/** The text of docs/NAME. */
export function page(name: string): string {
  return readFileSync(docs + name, 'utf8');
}

/** The bodies of the page's fenced code blocks in `lang`. */
export function codeBlocks(text: string, lang: string): string[] {
  const fence = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```', 'g');
  return [...text.matchAll(fence)].map((m) => m[1]);
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The ```ts blocks of the page that are not excerpts of a file in docs/examples (should be none). */
export function tsBlocksNotFromExamples(text: string): string[] {
  const sources = readdirSync(examples).filter((f) => f.endsWith('.ts')).map((f) => squash(readFileSync(examples + f, 'utf8')));
  return codeBlocks(text, 'ts').filter((block) => !sources.some((s) => s.includes(squash(block))));
}

/** `value` written with `digits` significant digits, with a Unicode minus, as the pages write numbers. */
export function sig(value: number, digits: number): string {
  return Number(value.toPrecision(digits)).toString().replace('-', '−');
}

/** `value` in exponent form with `digits` digits after the point (3.1e-16), with a Unicode minus for the value. */
export function exp(value: number, digits: number): string {
  return value.toExponential(digits).replace('e+', 'e').replace(/^-/, '−');
}

/** `shows(doc)(formatted, expected)`: asserts the formatted value and that the page shows it. */
export function shows(doc: string): (formatted: string, expected: string) => void {
  return (formatted, expected) => {
    expect(formatted).toBe(expected);
    expect(doc).toContain(expected);
  };
}

/** `value` with `decimals` digits after the point, with a Unicode minus. */
export function fixed(value: number, decimals: number): string {
  return value.toFixed(decimals).replace('-', '−');
}
