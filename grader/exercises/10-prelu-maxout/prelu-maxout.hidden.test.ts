/**
 * Hidden suite for exercise 10 — PReLU and maxout. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 * Checks drawn from the student's seed live in ./variants.ts.
 */
import { describe, expect, test } from 'vitest';
import { createRng, randn, zeros, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { loadFixture } from '../../../lib/testing/fixtures.ts';
import { valueTests, type PreluMaxoutModule as ValueModule } from '../../../lib/testing/checks/10-prelu-maxout.ts';
import * as student from '../../../exercises/10-prelu-maxout/prelu-maxout.ts';
import { variantTests } from '../variants.ts';
import { variantChecks, type PreluMaxoutModule } from './variants.ts';

const { maxoutBackward, maxoutForward, preluBackward, preluForward } = student;
const STUDENT = student as unknown as PreluMaxoutModule;
const fixture = loadFixture('10-prelu-maxout', 'hidden');

describe('shapes', () => {
  variantTests(variantChecks, 'shapes', STUDENT);
});

describe('values', () => {
  valueTests(fixture, student as unknown as ValueModule);
});

describe('properties', () => {
  variantTests(variantChecks, 'properties', STUDENT);
});

describe('gradients', () => {
  variantTests(variantChecks, 'gradients', STUDENT);
});

describe('bad input', () => {
  const rng = createRng('10-prelu-maxout/hidden-bad');
  test("preluForward › rejects-alpha-as-matrix: an 'alpha' of shape [1, 3] is a RangeError", () => {
    expectInputError(() => preluForward(randn([2, 3], rng), randn([1, 3], rng)), { fn: 'preluForward', arg: 'alpha', shapes: [[3], [1, 3]] });
  });
  test("maxoutForward › rejects-no-pieces: a 'W' of shape [0, 3, 2] is a RangeError", () => {
    expectInputError(() => maxoutForward(randn([2, 3], rng), zeros([0, 3, 2]), zeros([0, 2])), { fn: 'maxoutForward', arg: 'W' });
  });
  test("preluBackward › rejects-wrong-dout: a 'dout' of the wrong shape is a RangeError", () => {
    const { cache } = preluForward(randn([2, 3], rng), randn([3], rng));
    expectInputError(() => preluBackward(randn([3, 2], rng), cache), { fn: 'preluBackward', arg: 'dout', shapes: [[2, 3], [3, 2]] });
  });
});

describe('variants', () => {
  variantTests(variantChecks, 'variants', STUDENT);
});
