import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import type { TestError } from 'vitest';
import { resolve } from 'node:path';
import { directoryPlugin, implementationMode, solutionsPlugin } from './tools/vitest/implementation.ts';
import StudentReporter from './vitest.reporter.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig(({ mode }) => {
  const impl = implementationMode(root, mode);
  const plugins: Plugin[] = [];
  if (impl === 'solutions') plugins.push(solutionsPlugin(root));
  if (impl.startsWith('dir:')) plugins.push(directoryPlugin(root, resolve(impl.slice(4))));
  return {
    plugins,
    test: {
      // Student mode runs the exercise suites only; the instructor repository also runs the kit's
      // own tests (library, generators, grader, hidden suites against solutions). The grader
      // configures its own vitest (grader/grade.ts).
      include: impl === 'solutions' ? ['**/*.test.ts'] : ['exercises/**/*.test.ts'],
      exclude: ['**/node_modules/**', 'grade-output/**', 'runs/**', 'dist/**'],
      setupFiles: ['lib/testing/setup.ts'],
      // The student's view (the stubs): a test failing on a stub takes one line, real failures keep their details.
      ...(impl === 'exercises' ? { reporters: [new StudentReporter()] } : {}),
      // A stub's NotImplementedError is a message for the student, not a crash: drop its stack.
      onStackTrace: (error: TestError) => (error.name === 'NotImplementedError' ? false : undefined),
    },
  };
});
