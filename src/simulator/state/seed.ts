/** The seed data of a fresh simulated appliance: the spec's examples (engine/seed.ts), no cluster. */
import { randomBytes } from 'node:crypto';
import { engineOf } from '../engine/engine.js';
import { seedConfiguration } from '../engine/seed.js';
import type { SimSpec } from '../engine/spec.js';
import type { ConfigurationState, SimState } from './model.js';

/** An SPS-looking object id (22 hex characters, as in the doc samples). */
export const objectId = (): string => randomBytes(11).toString('hex');

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
