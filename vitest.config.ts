import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Vite defines __dirname for config files.
const root = `${__dirname}/`;
const alias = {
  '@warroom/contracts': `${root}libs/contracts/src/index.ts`,
  '@warroom/clickhouse': `${root}libs/clickhouse/src/index.ts`,
  '@warroom/kafka': `${root}libs/kafka/src/index.ts`,
  '@warroom/matcher': `${root}libs/matcher/src/index.ts`,
  '@warroom/staffing': `${root}libs/staffing/src/index.ts`,
  '@warroom/knowledge': `${root}libs/knowledge/src/index.ts`,
  '@warroom/nest-common': `${root}libs/nest-common/src/index.ts`,
  '@warroom/observability': `${root}libs/observability/src/index.ts`,
};
// Nest's DI needs emitDecoratorMetadata, which esbuild does not produce: SWC compiles server code.
const serverPlugins = [
  swc.vite({ tsconfigFile: `${root}tsconfig.json`, module: { type: 'es6' } }),
];

export default defineConfig({
  test: {
    projects: [
      {
        plugins: serverPlugins,
        resolve: { alias },
        test: {
          name: 'unit',
          environment: 'node',
          // Groups run one after another (unit, then integration, then browser), each with its own workers.
          sequence: { groupOrder: 0 },
          include: ['libs/**/*.spec.ts', 'apps/{api,bot,sim}/**/*.spec.ts', 'infra/**/*.spec.ts', 'scripts/**/*.spec.ts', 'test/chaos/**/*.spec.ts', 'test/scale/**/*.spec.ts', 'test/bench/**/*.spec.ts'],
        },
      },
      {
        // The web app's own specs in a DOM without a browser, built as Vite builds the app (its React
        // plugin and contracts alias, no SWC).
        extends: './apps/web/vite.config.ts',
        test: {
          name: 'web',
          environment: 'happy-dom',
          sequence: { groupOrder: 0 },
          include: ['apps/web/src/**/*.spec.{ts,tsx}'],
        },
      },
      {
        plugins: serverPlugins,
        resolve: { alias },
        test: {
          name: 'integration',
          environment: 'node',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each file starts its own broker and store; 2 cores fit two files at a time.
          maxWorkers: 2,
        },
      },
      {
        plugins: serverPlugins,
        resolve: { alias },
        test: {
          name: 'browser',
          environment: 'node',
          sequence: { groupOrder: 2 },
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});
