// Taste that a machine can check: type-aware rules from typescript-eslint plus the
// project's own conventions (docs/conventions.md).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.stack/', 'coverage/', '**/*.js', '**/*.cjs', '!eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
      // Functions that satisfy a Promise-returning interface need not await anything.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'List named exports explicitly (no `export *`).' },
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object or a union instead of an enum.' },
        {
          selector: "MemberExpression[object.type='MemberExpression'][object.object.name='process'][object.property.name='env']",
          message: 'Read the environment only in a config.ts file.',
        },
      ],
    },
  },
  {
    // Command-line entry points, benchmarks and the test harness talk to a terminal.
    files: ['**/bin/**', 'bench/**', '**/global-setup.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
)
