import { defineConfig } from 'vitest/config';

// Suites that drive the one shared regtest bitcoind (mining, invalidateblock, mocktime) run one file at a
// time after everything else, so one suite's reorg can never disconnect another suite's transactions.
const NODE_SUITES = ['test/**/*bitcoind*.test.ts', 'test/**/*regtest*.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    // Browser checks poll the page; on a loaded 2-core machine the first render can take seconds.
    expect: { poll: { timeout: 10_000, interval: 50 } },
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: NODE_SUITES } },
      { extends: true, test: { name: 'node', include: NODE_SUITES, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
