/**
 * The checkpoint checksum in Node: SHA-256 of a string's UTF-8 bytes, as hex, from node:crypto.
 * A browser bundle takes sha256.browser.ts instead (the same function in plain TypeScript).
 */
import { createHash } from 'node:crypto';

/** The SHA-256 digest of `text` encoded as UTF-8, 64 lowercase hex digits. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
