import type { TestError } from 'vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['exercises/**/*.test.ts', 'solutions/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    setupFiles: ['lib/testing/setup.ts'],
    // A stub's NotImplementedError is a message for you, not a crash: no stack trace for it.
    onStackTrace: (error: TestError) => (error.name === 'NotImplementedError' ? false : undefined),
  },
});
