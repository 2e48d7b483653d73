/**
 * `npm run experiment -- init` — the lecture's weight-initialization experiment as a report.
 * See `npm run experiment -- --help`.
 */
import { experimentMain } from './experiment-cli.ts';

process.exitCode = await experimentMain(process.argv.slice(2));
