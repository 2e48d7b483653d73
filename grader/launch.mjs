/**
 * `npm run grade`'s entry point, and the kit's one JavaScript file: it exists only to load vitest
 * before TypeScript support is switched on. tsx's module hooks run on a separate thread in
 * Node 20 and every import pays a round trip to it; vitest and vite are hundreds of plain
 * JavaScript modules that need no help, so importing them first saves about a second of CPU per
 * grading. Everything else is grader/cli.ts.
 */
import 'vitest/node';

const { register } = await import('tsx/esm/api');
register();
await import('./cli.ts');
