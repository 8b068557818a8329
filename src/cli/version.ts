import { readFileSync } from 'node:fs';

/**
 * arcgrad's version, from its package.json (two folders up from both src/cli/ and dist/cli/):
 * read, not copied into the code, so that it cannot disagree with what npm installed.
 */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
