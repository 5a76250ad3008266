import { describe } from 'vitest';
import { failsOnItsFixture } from '../../../tests/conformance/helpers/check-tests.js';
import type { CheckFixture } from '../../../tests/conformance/helpers/exchange.js';
import { collectionRoundtrip } from './collection-roundtrip.js';

/** A POST of a backup policy answers 201 with a new key but stores nothing: reading it back finds nothing. */
const fixture: CheckFixture = {
  breakableSps: { breaks: ['post-ignored'], options: { allowWrites: true } },
  message: /backup_policies: POST answered 201 with key \w+, but reading \S+ back got 404.*the object was not stored/,
};

describe('collection_roundtrip', () => {
  failsOnItsFixture(collectionRoundtrip, fixture);
});
