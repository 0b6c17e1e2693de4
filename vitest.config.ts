import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // oidc-provider (the demo and test IdP only) warns at import on Node 20 that it supports Node 22+
    // LTS; the suite runs on the machine's Node 20 on purpose (README, "Node versions"). Every other
    // line of output is kept.
    onConsoleLog: (log) => !log.includes('oidc-provider WARNING: Unsupported runtime'),
  },
});
