/**
 * `npm run grade`'s entry point: grader/cli.ts under tsx's TypeScript loader, registered only once
 * vitest's own modules are loaded. Once a loader is registered, Node hands it every module it
 * loads, each a round trip to the loader's thread; vitest/node is several hundred modules of plain
 * JavaScript, which Node loads in 0.3 s by itself and in 1.5 s through tsx (`npm run bench:grade`:
 * 8.2 s → 6.4 s for one submission in a fresh process; a batch pays it once per worker process).
 * Modules already loaded are not loaded again: cli.ts's `import('vitest/node')` finds them.
 * (`node --import tsx grader/cli.ts` works too, only slower to start.)
 */
await import('vitest/node');
const { register } = await import('tsx/esm/api');
register();
await import('./cli.ts');
