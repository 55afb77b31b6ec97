import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    // The package's entry points resolve to the sources (as tsconfig.json's paths do for tsc and tsx).
    alias: [
      { find: /^tf-graft$/, replacement: src('index.ts') },
      { find: /^tf-graft\/node$/, replacement: src('node.ts') },
      { find: /^tf-graft\/runtime$/, replacement: src('runtime-entry.ts') },
      { find: /^tf-graft\/testing$/, replacement: src('testing/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/helpers/skip-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
