/** The seed data of a fresh simulated appliance: the spec's examples (engine/seed.ts), no cluster. */
import { engineOf } from '../engine/engine.js';
import { seedConfiguration } from '../engine/seed.js';
import type { SimSpec } from '../engine/spec.js';
import type { ConfigurationState, SimState } from './state.js';

export { objectId } from './ids.js';

const seeds = new WeakMap<SimSpec, ConfigurationState>();

export function initialState(spec: SimSpec): SimState {
  let configuration = seeds.get(spec);
  if (!configuration) {
    configuration = seedConfiguration(engineOf(spec)) as ConfigurationState;
    seeds.set(spec, configuration);
  }
  return {
    configuration: structuredClone(configuration),
    cluster: { central_management: false, nodes: {}, join_request: null },
  };
}
