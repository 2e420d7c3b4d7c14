import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, top to bottom (docs/architecture.md, "Layers"). A layer imports only layers
 * below it; the one exception is an entity file (`*.entity.ts`), which any layer may import:
 * entities are the database schema, shared by every query, and TypeORM relations point both ways.
 */
const LAYERS = [
  ['app', ['src/api', 'src/cli', 'src/seed', 'src/database', 'src/health']],
  ['rights', ['src/rights']],
  ['privacy', ['src/privacy']],
  ['notifications', ['src/notifications']],
  ['events', ['src/events']],
  ['disclosures', ['src/disclosures']],
  ['learners', ['src/learners']],
  ['enrolments', ['src/enrolments']],
  ['sharing', ['src/sharing']],
  ['organisations', ['src/organisations']],
  ['auth', ['src/auth']],
  ['requests', ['src/requests']],
  ['outbox', ['src/outbox']],
  ['common', ['src/common']],
  ['config', ['src/config']],
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '*.cjs', 'bench/peer/*.cjs', 'scripts/**', 'test/utils/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Decorator-heavy NestJS code and test assertions on untyped JSON make these noisy without
      // catching real bugs; the rules above are the ones that do.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      // The first descriptor that matches a file wins: `src` itself, last, is the app's own files
      // (main.ts, app.module.ts, …) at the top.
      'boundaries/elements': [...LAYERS.flatMap(([type, patterns]) => patterns.map((pattern) => ({ type, pattern }))), { type: 'app', pattern: 'src' }],
      'boundaries/files': [{ category: 'entity', pattern: '**/*.entity.ts' }],
      'import/resolver': { typescript: { project: './tsconfig.json' } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            ...LAYERS.map(([type], i) => ({
              from: { element: { type } },
              allow: { to: { element: { types: { anyOf: LAYERS.slice(i).map(([t]) => t) } } } },
            })),
            { allow: { to: { file: { categories: 'entity' } } } },
          ],
          message: 'A layer imports only layers below it (docs/architecture.md, "Layers").',
        },
      ],
    },
  },
  {
    // GraphQL responses are untyped JSON; tests and the benchmark read their shape instead of typing it.
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['eslint.config.mjs'], ...tseslint.configs.disableTypeChecked },
);
