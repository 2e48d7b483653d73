/** Vitest setup for every suite in the kit: registers the kit's matchers. */
import './matchers.ts';
