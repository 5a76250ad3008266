import { describe } from 'vitest';
import { failsOnItsFixture } from '../../../tests/conformance/helpers/check-tests.js';
import type { CheckFixture } from '../../../tests/conformance/helpers/exchange.js';
import { writeRoundtrip } from './write-roundtrip.js';

/** A PUT of the unchanged timezone stores another value: the read-back differs. */
const fixture: CheckFixture = {
  breakableSps: { breaks: ['readback-differs'], options: { allowWrites: true } },
  message: /the value read back differs from the value written/,
};

describe('write_roundtrip', () => {
  failsOnItsFixture(writeRoundtrip, fixture);
});
