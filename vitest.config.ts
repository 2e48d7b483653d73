import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import type { TestError } from 'vitest';
import { resolve } from 'node:path';
import { directoryPlugin, implementationMode, solutionsPlugin } from './lib/testing/implementation.ts';
import StudentReporter from './vitest.reporter.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig(async ({ mode }) => {
  const impl = implementationMode(root, mode);
  const plugins: Plugin[] = [];
  if (impl === 'solutions') plugins.push(solutionsPlugin(root));
  if (impl.startsWith('dir:')) plugins.push(directoryPlugin(root, resolve(impl.slice(4))));
  if (impl === 'remote') {
    // The grader's sandbox proxies; absent from a student release, which never uses this mode.
    // NOTE: an absolute URL: vite evaluates this file from a bundled copy in node_modules/.vite-temp.
    // The grader may name its compiled copy of the plugin instead.
    const remote = process.env['GRADLAB_REMOTE_PLUGIN'] ?? pathToFileURL(resolve(root, 'grader/sandbox/remote-plugin.ts')).href;
    const { remotePlugin } = (await import(remote)) as { remotePlugin: (root: string) => Plugin };
    plugins.push(remotePlugin(root));
  }
  return {
    plugins,
    test: {
      // Student mode and the grader run the exercise suites only; the instructor repository also
      // runs the kit's own tests (library, generators, grader, hidden suites against solutions).
      include:
        impl === 'solutions'
          ? ['**/*.test.ts']
          : impl === 'remote'
            ? ['exercises/**/*.test.ts', 'grader/exercises/**/*.test.ts']
            : ['exercises/**/*.test.ts'],
      exclude: ['**/node_modules/**', 'grade-output/**', 'runs/**', 'dist/**'],
      setupFiles: ['lib/testing/setup.ts'],
      // The student's view (the stubs): a test failing on a stub takes one line, real failures keep their details.
      ...(impl === 'exercises' ? { reporters: [new StudentReporter()] } : {}),
      // A stub's NotImplementedError is a message for the student, not a crash: drop its stack.
      onStackTrace: (error: TestError) => (error.name === 'NotImplementedError' ? false : undefined),
    },
  };
});
