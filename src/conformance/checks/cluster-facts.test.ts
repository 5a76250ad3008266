import { describe } from 'vitest';
import { failsOnItsFixture } from '../../../tests/conformance/helpers/check-tests.js';
import type { CheckFixture } from '../../../tests/conformance/helpers/exchange.js';
import { clusterFacts } from './cluster-facts.js';

/** Two simulator nodes started as one cluster; the second says another SPS version. */
const fixture: CheckFixture = {
  simulator: { cluster: true, nodeSwitches: [[], ['cluster-version-differs']] },
  message: /the nodes of one cluster must run the same SPS version, but \S+ says 7\.5\.1, \S+ says 7\.4\.0/,
};

describe('cluster_facts', () => {
  failsOnItsFixture(clusterFacts, fixture);
});
