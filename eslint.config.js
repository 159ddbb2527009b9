'use strict'
// The one JavaScript linter and formatter: ESLint's recommended rules plus
// @stylistic for the house style (no semicolons, single quotes, 2-space
// indent, lines up to 140 columns). `npm run lint` checks, `npm run lint:fix` rewrites.
const js = require('@eslint/js')
const stylistic = require('@stylistic/eslint-plugin')
const globals = require('globals')

const style = {
  '@stylistic/semi': ['error', 'never'],
  '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
  '@stylistic/indent': ['error', 2, { SwitchCase: 1, ignoredNodes: ['ConditionalExpression *', 'CallExpression > *'],
    offsetTernaryExpressions: true, flatTernaryExpressions: true }],
  '@stylistic/max-len': ['error', { code: 140, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true,
    ignoreRegExpLiterals: true }],
  '@stylistic/comma-dangle': ['error', 'never'],
  '@stylistic/no-trailing-spaces': 'error',
  '@stylistic/eol-last': 'error',
  '@stylistic/no-multiple-empty-lines': ['error', { max: 2, maxEOF: 0, maxBOF: 0 }],
  '@stylistic/keyword-spacing': 'error',
  '@stylistic/space-infix-ops': 'error',
  '@stylistic/space-before-blocks': 'error',
  '@stylistic/comma-spacing': 'error',
  '@stylistic/key-spacing': 'error',
  '@stylistic/arrow-spacing': 'error',
  '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
  '@stylistic/no-mixed-spaces-and-tabs': 'error',
  '@stylistic/no-tabs': 'error'
}

const rules = {
  ...js.configs.recommended.rules,
  ...style,
  'prefer-object-has-own': 'error',
  'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
  'no-empty': ['error', { allowEmptyCatch: true }],
  eqeqeq: ['error', 'always', { null: 'ignore' }],
  'no-var': 'error',
  'prefer-const': 'error',
  'no-new-wrappers': 'error',
  'no-extend-native': 'error',
  'no-new-func': 'error'
}

// Files being edited in parallel on main (the call module, identity, the
// Express route, the examples, their tests): checked by the same correctness
// rules, but their formatting and unused names are left as they are until those
// edits land. Then: `npx eslint --fix lib/call lib/identity.js lib/express.js
// example test/call test/redis`, fix what --fix cannot (unused names), and
// delete this block.

module.exports = [
  // *.mts is TypeScript (checked by tsc in test:types); test/artifacts/ is made by the tests
  { ignores: ['node_modules/', 'build/', 'prebuilds/', 'test/c/out/', 'test/c/fuzz/out/', 'bench/out/', 'coverage/',
    'test/artifacts/', '**/*.mts'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['**/*.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'commonjs', globals: { ...globals.node } },
    plugins: { '@stylistic': stylistic },
    rules
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    plugins: { '@stylistic': stylistic },
    rules
  },
  { files: ['test/**/*.js'], languageOptions: { globals: { ...globals.jest } } },
  {
    files: ['example/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, io: 'readonly', AgoraRTC: 'readonly' } }
  }
]
