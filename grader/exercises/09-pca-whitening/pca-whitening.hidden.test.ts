/**
 * Hidden suite for exercise 09 — PCA and whitening. Never shipped to students.
 * Titles are `fn › case-id: description`; the grader reports hidden failures by id and kind only.
 * Fits are compared through their projectors (the subspace), never the signs of their columns.
 * Checks drawn from the student's seed live in ./variants.ts.
 */
import { describe, expect, test } from 'vitest';
import { createRng, zeros, type Tensor } from '../../../lib/index.ts';
import { expectInputError } from '../../../lib/testing/errors.ts';
import { loadFixture } from '../../../lib/testing/fixtures.ts';
import { valueTests } from '../../../lib/testing/checks/09-pca-whitening.ts';
import * as student from '../../../exercises/09-pca-whitening/pca-whitening.ts';
import type { PcaFit } from '../../../exercises/09-pca-whitening/pca-whitening.ts';
import * as reference from '../../../solutions/09-pca-whitening/pca-whitening.ts';
import { variantTests } from '../variants.ts';
import { correlated, projector } from './fixtures.ts';
import { variantChecks, type PcaWhiteningModule } from './variants.ts';

const { covariance, pcaFit, pcaProject, pcaReconstruct, whiten } = student;
const STUDENT = student as unknown as PcaWhiteningModule;
const fixture = loadFixture('09-pca-whitening', 'hidden');

describe('shapes', () => {
  variantTests(variantChecks, 'shapes', STUDENT);
});

describe('values', () => {
  valueTests(fixture, STUDENT);
});

describe('properties', () => {
  variantTests(variantChecks, 'properties', STUDENT);
});

describe('bad input', () => {
  const rng = createRng('09-pca-whitening/hidden-bad');
  const x = correlated(rng, 6, [2, 1, 0.5]);
  test("pcaFit › rejects-fractional-k: a 'k' of 1.5 is a RangeError", () => {
    expectInputError(() => pcaFit(x, 1.5), { fn: 'pcaFit', arg: 'k' });
  });
  test("covariance › rejects-empty: an 'x' of shape [0, 3] is a RangeError", () => {
    expectInputError(() => covariance(zeros([0, 3])), { fn: 'covariance', arg: 'x', shapes: [[0, 3]] });
  });
  test("whiten › rejects-wrong-features: an 'x' of 4 features for a fit of 3 is a RangeError", () => {
    expectInputError(() => whiten(zeros([2, 4]), reference.pcaFit(x, 2)), { fn: 'whiten', arg: 'x', shapes: [[2, 3], [2, 4]] });
  });
});

describe('variants', () => {
  variantTests(variantChecks, 'variants', STUDENT);
});
