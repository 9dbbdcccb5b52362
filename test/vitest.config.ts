import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests share one Redis and spawn real servers; two files at a time suits a 2-core box.
    maxWorkers: 2,
    pool: 'forks',
    // The secrets check: every process's output and every chat message is captured and scanned for tokens.
    globalSetup: ['test/setup/secrets-global.ts'],
    setupFiles: ['test/setup/secrets-file.ts'],
  },
});
