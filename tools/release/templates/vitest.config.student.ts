import type { TestError } from 'vitest';
import { defineConfig } from 'vitest/config';
import StudentReporter from './vitest.reporter.ts';

export default defineConfig({
  test: {
    include: ['exercises/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    setupFiles: ['lib/testing/setup.ts'],
    // A test that fails only because a function is still a stub takes one line; real failures keep every detail.
    reporters: [new StudentReporter()],
    // A stub's NotImplementedError is a message for you, not a crash: no stack trace for it.
    onStackTrace: (error: TestError) => (error.name === 'NotImplementedError' ? false : undefined),
  },
});
