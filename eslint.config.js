/**
 * Lint (part of `npm test`): a small rule set that catches mistakes, not style — the code is
 * type-checked by tsc and formatted by hand. Besides the generic rules, three project rules keep
 * the test suite a function of the code (issue 14): property run counts come from
 * test/support/runs.ts only, fast-check's global configuration (the seed) from
 * test/support/setup.ts only, and nothing shipped imports fast-check (a devDependency).
 */
import tseslint from 'typescript-eslint';

const NODE_GLOBALS = { process: 'readonly', console: 'readonly', performance: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' };

/** Reading the run-count variables anywhere but test/support/runs.ts. */
const RUNS_VARIABLES = ['ARCGRAD_PROPERTY_RUNS', 'ARCGRAD_CONFORMANCE_RUNS'].map((name) => ({
  selector: `MemberExpression[object.type='MemberExpression'][object.object.name='process'][object.property.name='env'][property.name='${name}']`,
  message: `take property run counts from test/support/runs.ts (PROPERTY_RUNS, runs(weight)), not process.env.${name}`,
}));
/** Configuring fast-check (its seed) anywhere but test/support/setup.ts. */
const CONFIGURE_GLOBAL = { selector: "CallExpression[callee.property.name='configureGlobal']", message: 'the fast-check seed is set once, in test/support/setup.ts' };

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'coverage/', 'node_modules/', 'docs/api/', 'playground/dist/', '.vite/', '.gpu/'] },
  {
    files: ['**/*.{ts,js,mjs}'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'off' }, // some files carry directives for rules left out here
    rules: {
      'no-cond-assign': 'error',
      'no-constant-binary-expression': 'error',
      'no-debugger': 'error',
      'no-dupe-else-if': 'error',
      'no-dupe-keys': 'error',
      'no-duplicate-case': 'error',
      'no-empty-pattern': 'error',
      'no-self-assign': 'error',
      'no-self-compare': 'error',
      'no-sparse-arrays': 'error',
      'no-unreachable': 'error',
      'no-unsafe-finally': 'error',
      'no-unsafe-negation': 'error',
      'no-var': 'error',
      'use-isnan': 'error',
      'valid-typeof': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unused-expressions': 'error',
      'no-restricted-syntax': ['error', ...RUNS_VARIABLES, CONFIGURE_GLOBAL],
    },
  },
  { files: ['**/*.{js,mjs}'], languageOptions: { globals: NODE_GLOBALS }, rules: { 'no-undef': 'error' } },
  { files: ['test/support/runs.ts'], rules: { 'no-restricted-syntax': ['error', CONFIGURE_GLOBAL] } },
  { files: ['test/support/setup.ts'], rules: { 'no-restricted-syntax': ['error', ...RUNS_VARIABLES] } },
  {
    files: ['src/**', 'bin/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'fast-check', message: 'fast-check is a devDependency: tests and their support only' }] }] },
  },
);
