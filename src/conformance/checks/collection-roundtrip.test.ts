import { describe } from 'vitest';
import { failsOnItsFixture } from '../../../tests/conformance/helpers/check-tests.js';
import type { CheckFixture } from '../../../tests/conformance/helpers/exchange.js';
import { collectionRoundtrip } from './collection-roundtrip.js';

/** POST answers 201 with a new key but stores nothing (the simulator's `ignore-posts`): reading it back finds nothing. */
const fixture: CheckFixture = {
  simulator: { switches: ['ignore-posts'], options: { allowWrites: true } },
  message: /POST answered 201 with key \S+, but reading \S+ back got 404.*the object was not stored/,
};

describe('collection_roundtrip', () => {
  failsOnItsFixture(collectionRoundtrip, fixture);
});
