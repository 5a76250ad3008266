import { describe } from 'vitest';
import { failsOnItsFixture } from '../../../tests/conformance/helpers/check-tests.js';
import type { CheckFixture } from '../../../tests/conformance/helpers/exchange.js';
import { invalidWrite } from './invalid-write.js';

/** A PUT body the schema forbids (the timezone as a number) is stored, not refused with a documented 4xx. */
const fixture: CheckFixture = {
  breakableSps: { breaks: ['stores-invalid-body'], options: { allowWrites: true } },
  message: /a body the schema forbids \(wrong type: .*\) was accepted with 200/,
};

describe('invalid_write', () => {
  failsOnItsFixture(invalidWrite, fixture);
});
