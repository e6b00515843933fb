// One type-aware linter over src, tests, e2e and bench (STYLE.md practice 5).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/dev-dist/**',
      'test-results/**',
      'playwright-report/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['vitest.config.ts', 'packages/hw-bridge/rolldown.config.ts']
        },
        tsconfigRootDir: import.meta.dirname
      }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error'
    }
  },
  {
    // Only the CLIs, e2e and benchmarks print.
    files: [
      'apps/relay/src/bin.ts',
      'apps/relay/src/cli.ts',
      'packages/hw-bridge/src/bin.ts',
      'packages/hw-bridge/src/cli.ts',
      'bench/**',
      'e2e/**',
      '**/*.test.ts'
    ],
    rules: { 'no-console': 'off' }
  },
  {
    // Vitest's and Playwright's asymmetric matchers are typed `any`.
    files: ['**/*.test.ts', 'e2e/**'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' }
  }
)
