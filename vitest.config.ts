import { svelte } from '@sveltejs/vite-plugin-svelte';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The browser tests, which need a browser (found by test/e2e/find-browser.ts) and `npm run build`;
 * not the finder's own unit test, which needs neither.
 */
const E2E = ['test/e2e/**/!(find-browser).test.ts'];

export default defineConfig({
  // The renderer's state classes (.svelte.ts) use runes: compiled as the app compiles them.
  plugins: [svelte()],
  test: {
    // tfjs-node's native binding must not load twice in one process, and the
    // engine tests are CPU-heavy: separate processes, one per core.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...E2E],
        },
      },
      {
        extends: true,
        // globalSetup runs only when a test of this project is in the run: where no browser can be
        // found, the run stops there with one line instead of failing in every test.
        test: {
          name: 'e2e',
          include: E2E,
          globalSetup: ['test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
