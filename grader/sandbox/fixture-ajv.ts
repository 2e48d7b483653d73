/**
 * `ajv` as lib/testing/fixtures.ts sees it while grading (remote-plugin.ts resolves its import
 * here): the same validation of every fixture, without loading and compiling ajv in every test
 * worker, which costs about 75 ms before each lane's first test.
 *
 * `new Ajv(options).compile(schema)`, the one use fixtures.ts makes of ajv, returns the validator
 * ajv generates for that schema and those options. The first time, real ajv compiles it and its
 * standalone code (the same generated code, as a module) goes into the kit cache, keyed by ajv's
 * version, the options and the schema; later workers evaluate that code instead. A changed schema
 * or option is a different key: a stale validator is never used.
 */
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { KitCache } from '../cache.ts';
import { remoteManifest } from './manifest.ts';

const requireHere = createRequire(import.meta.url);

/** A compiled validator: true when `data` is valid, else false with `errors` set (ajv's contract). */
type Validate = ((data: unknown) => boolean) & { errors?: unknown };

export class Ajv {
  readonly #options: Record<string, unknown>;

  constructor(options: Record<string, unknown> = {}) {
    this.#options = options;
  }

  compile(schema: object): Validate {
    const { version } = requireHere('ajv/package.json') as { version: string };
    const cache = new KitCache(remoteManifest().root);
    const key = KitCache.key('ajv-standalone', version, JSON.stringify(this.#options), JSON.stringify(schema));
    const code = cache.get(key);
    if (code !== null) return evaluate(code);
    const { Ajv: RealAjv } = requireHere('ajv') as { Ajv: new (options: object) => { compile(schema: object): Validate } };
    const standaloneCode = (requireHere('ajv/dist/standalone') as { default: (ajv: object, validate: Validate) => string }).default;
    const ajv = new RealAjv({ ...this.#options, code: { source: true } });
    const validate = ajv.compile(schema);
    cache.set(key, standaloneCode(ajv, validate));
    return validate;
  }
}

/** Runs ajv's standalone module (CommonJS; it requires ajv's small runtime helpers). */
function evaluate(code: string): Validate {
  const module = { exports: {} as unknown };
  const wrapper = vm.runInThisContext(`(function (module, exports, require) {${code}\n})`, { filename: 'ajv-standalone-validator.js' }) as (
    module: object,
    exports: unknown,
    require: NodeJS.Require,
  ) => void;
  wrapper(module, module.exports, requireHere);
  return module.exports as Validate;
}
