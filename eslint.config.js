import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'training', 'test-results', 'playwright-report', 'e2e-output', 'public', '.cache', '.gpu-bench', '.gl'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.worker, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/**/*.tsx', 'src/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The thread boundary by construction: the page reaches the engine only through the contract's types
      // (workers/api.ts, `import type`) and the pure helpers of workers/shared.ts; engine code runs in its worker.
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/workers/**', '!**/workers/api.ts', '!**/workers/shared.ts'], message: 'src/ may import only workers/api.ts (types) and workers/shared.ts (pure helpers): engine code runs in the worker' },
          { group: ['**/workers/api.ts'], allowTypeImports: true, message: 'workers/api.ts is the contract: import its types with `import type`' },
        ],
      }],
    },
  },
  {
    // Every Worker is made in one place per thread: the engine's in src/engine/client.ts, the engine's own
    // (pipeline stages) in workers/spawn.ts. The CLI's worker_threads (scripts/) are Node's, not the page's.
    files: ['src/**/*.{ts,tsx}', 'workers/**/*.ts'],
    ignores: ['src/engine/client.ts', 'workers/spawn.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Worker'], NewExpression[callee.name='SharedWorker']", message: 'create Workers in src/engine/client.ts (the page) or workers/spawn.ts (the engine)' }],
    },
  },
);
