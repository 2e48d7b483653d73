/**
 * `npm run train` — the standalone trainer. See `npm run train -- --help`.
 */
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
