/** GET /api/info: the firmware version, with or without a session (where the SDKs read it). */
import type { PublicCtx, Reply } from '../appliance/context.js';

/** The default `firmware_version`: the default SPS version (engine/spec.ts). */
export const DEFAULT_FIRMWARE_VERSION = '7.5.1';

export function getInfo(ctx: PublicCtx): Reply {
  // Only the field the SDKs read: any other would be an undocumented property (drift) in every
  // run against the simulator.
  const body = { firmware_version: ctx.appliance.firmwareVersion };
  return { status: 200, body: { body, meta: { href: '/api/info', parent: '/api' } } };
}
