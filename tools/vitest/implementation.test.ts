/** `dir:<path>` mode resolves a folder laid out like `exercises/` wherever it is (tools/vitest/implementation.ts). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { directoryPlugin } from './implementation.ts';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const dir = mkdtempSync(join(tmpdir(), 'gradlab-dir-mode-'));
for (const file of ['03-batchnorm/batchnorm.ts', '04-groupnorm/groupnorm.ts', '04-groupnorm/rows.ts', '04-groupnorm/helpers/nan.ts']) {
  mkdirSync(join(dir, file, '..'), { recursive: true });
  writeFileSync(join(dir, file), 'export {};\n');
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const plugin = directoryPlugin(root, dir);
const resolveId = (source: string, importer: string): unknown =>
  (plugin.resolveId as unknown as (this: unknown, source: string, importer: string) => unknown).call({}, source, importer);

test('a suite in exercises/ gets the folder\'s implementation, when the folder has that file', () => {
  expect(resolveId('./batchnorm.ts', join(root, 'exercises/03-batchnorm/batchnorm.test.ts'))).toBe(join(dir, '03-batchnorm/batchnorm.ts'));
  expect(resolveId('./activations.ts', join(root, 'exercises/01-activations/activations.test.ts'))).toBeNull();
});

test("a file of the folder imports the kit's lib/ and its other exercises as if it stood in exercises/", () => {
  const importer = join(dir, '04-groupnorm/groupnorm.ts');
  expect(resolveId('../../lib/index.ts', importer)).toBe(join(root, 'lib/index.ts'));
  expect(resolveId('../03-batchnorm/batchnorm.ts', importer)).toBe(join(dir, '03-batchnorm/batchnorm.ts'));
  expect(resolveId('./rows.ts', importer)).toBe(join(dir, '04-groupnorm/rows.ts'));
  expect(resolveId('./helpers/nan.ts', importer), 'a helper in a subfolder resolves as usual').toBeNull();
  expect(resolveId('../../lib/index.ts', join(dir, '04-groupnorm/helpers/nan.ts'))).toBeNull();
});
