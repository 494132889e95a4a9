import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', '.run/**', 'coverage/**', '**/*.mjs', '**/*.cjs', 'apps/web/dist/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { import: importPlugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Features of the web app never import each other (bulletproof-react).
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './apps/web/src/features/wall', from: './apps/web/src/features', except: ['./wall'] },
            { target: './apps/web/src/features/trainer', from: './apps/web/src/features', except: ['./trainer'] },
            { target: './apps/web/src/features/reports', from: './apps/web/src/features', except: ['./reports'] },
            { target: './apps/web/src/features/agent', from: './apps/web/src/features', except: ['./agent'] },
            { target: './libs/contracts', from: './node_modules/@nestjs' },
          ],
        },
      ],
    },
  },
);
