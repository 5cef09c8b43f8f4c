import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The renderer's state classes (.svelte.ts) use runes: compiled as the app compiles them.
  plugins: [svelte()],
  test: {
    include: ['test/**/*.test.ts'],
    // tfjs-node's native binding must not load twice in one process, and the
    // engine tests are CPU-heavy: separate processes, one per core.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
