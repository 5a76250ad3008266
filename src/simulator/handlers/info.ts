/** GET /api/info: the firmware version, with or without a session (where the SDKs read it). */
import type { PublicCtx, Reply } from '../appliance/context.js';

export const DEFAULT_FIRMWARE_VERSION = '7.5.1';

export function getInfo(ctx: PublicCtx): Reply {
  const body: Record<string, unknown> = { firmware_version: ctx.appliance.firmwareVersion };
  if (ctx.session) body.firmware_name = 'Safeguard for Privileged Sessions (simulator)';
  return { status: 200, body: { body, meta: { href: '/api/info', parent: '/api' } } };
}
