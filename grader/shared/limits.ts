/**
 * What one reply may hold (result, changed arguments, test-function states together), counted by
 * the test worker before anything else reads it: values in arrays and objects, and elements of
 * typed arrays. Vitest formats a failed assertion's values whole (its diff, its message), in the
 * test worker, at a cost that grows faster than their size — a 4-million-element `shape` costs
 * about a minute, a Float64Array of 8 million about as much — and none of it counts against the
 * submission's CPU limit. The suites' largest results hold a few hundred values and ten thousand
 * elements.
 *
 * The bridge stops copying a result at the same limits (with the same words), so that a result of
 * 200,000 values costs the sandbox a moment rather than 80 ms a call; the test worker's count
 * stays the rule, since the bridge runs next to the submission.
 */
export const MAX_PLAIN_VALUES = 10_000;
export const MAX_TYPED_VALUES = 262_144;

const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * Characters in the strings of one reply, each reference to a string counted (copying the answer
 * out of the isolate writes a string once per reference: 300 references to one 1 MB string are
 * 300 MB in the sandbox process, over its heap). Always enforced by the bridge, on results,
 * changed arguments and test-function states alike: the suites' strings are labels and sentences.
 */
export const MAX_STRING_CHARS = 4_000_000;

/** The end of "<fn> returned …" when a reply holds more than MAX_PLAIN_VALUES values. */
export const TOO_MANY_PLAIN = `more than ${grouped(MAX_PLAIN_VALUES)} values in arrays and objects (a tensor's numbers belong in a Float64Array)`;
/** The end of "<fn> returned …" when a reply holds more than MAX_STRING_CHARS characters in strings. */
export const TOO_MANY_CHARS = `more than ${grouped(MAX_STRING_CHARS)} characters in strings (the grader's limit on one result)`;
/** The end of "<fn> returned …" when a reply holds more than MAX_TYPED_VALUES typed-array elements. */
export const TOO_MANY_TYPED = `more than ${grouped(MAX_TYPED_VALUES)} numbers in typed arrays (the grader's limit on one result)`;
