import { describe } from 'vitest';
import { failsOnItsFixture } from '../../../tests/conformance/helpers/check-tests.js';
import type { CheckFixture } from '../../../tests/conformance/helpers/exchange.js';
import { invalidWrite } from './invalid-write.js';

/** A PUT or POST body the schema forbids is stored, not refused with a documented 4xx (the simulator's `accept-invalid-bodies`). */
const fixture: CheckFixture = {
  simulator: { switches: ['accept-invalid-bodies'], options: { allowWrites: true } },
  message: /a body the schema forbids \(wrong type: .*\) was accepted with 2\d\d/,
};

describe('invalid_write', () => {
  failsOnItsFixture(invalidWrite, fixture);
});
