/** GET /api/info: the firmware version, with or without a session (where the SDKs read it). */
import type { PublicCtx, Reply } from '../appliance/context.js';

/** The default `firmware_version`: the default SPS version (engine/spec.ts). */
export const DEFAULT_FIRMWARE_VERSION = '7.5.1';

export function getInfo(ctx: PublicCtx): Reply {
  // Only the field the SDKs read: any other would be an undocumented_properties warning in every
  // run against the simulator.
  // `clusterBreak: version-differs`: this node says another version than the others of its cluster.
  const body = { firmware_version: ctx.appliance.behaviour.clusterBreak === 'version-differs' ? '7.4.0' : ctx.appliance.firmwareVersion };
  return { status: 200, body: { body, meta: { href: '/api/info', parent: '/api' } } };
}
