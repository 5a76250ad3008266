/** /api/configuration/datetime: NTP servers and the time zone. */
import { isIP } from 'node:net';
import { isObject } from '../../shared/json.js';
import { jsonBody, view, write, type Ctx, type Reply } from '../appliance/context.js';
import { invalid } from '../appliance/errors.js';
import { setting } from '../appliance/meta.js';
import type { NtpServer } from '../state/model.js';
import { replaced } from '../state/store.js';

const FQDN = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function ntpProblems(item: unknown, label: string): string[] {
  if (!isObject(item)) return [`${label} must be an object {selection, value}.`];
  const problems: string[] = [];
  if (item.selection !== 'ip' && item.selection !== 'fqdn') problems.push(`${label}.selection must be "ip" or "fqdn".`);
  if (typeof item.value !== 'string' || item.value.length === 0) {
    problems.push(`${label}.value must be a non-empty string.`);
  } else if (item.selection === 'ip' && isIP(item.value) === 0) {
    problems.push(`${label}.value is not an IP address.`);
  } else if (item.selection === 'fqdn' && !FQDN.test(item.value)) {
    problems.push(`${label}.value is not a host name.`);
  }
  return problems;
}

const toNtp = (item: Record<string, unknown>): NtpServer => ({
  selection: item.selection as NtpServer['selection'],
  value: item.value as string,
});

export function getNtpServers(ctx: Ctx): Reply {
  const s = view(ctx);
  return { status: 200, body: setting(ctx, ctx.path, s.configuration.datetime.ntp_servers, s) };
}

export function updateNtpServers(ctx: Ctx): Reply {
  const input = jsonBody(ctx);
  write(ctx, (draft, changes) => {
    if (!Array.isArray(input)) invalid(ctx.path, ['The body must be an array of {selection, value} objects.']);
    const problems = input.flatMap((item, i) => ntpProblems(item, `[${i}]`));
    if (problems.length) invalid(ctx.path, problems);
    const next = input.map((item) => toNtp(item as Record<string, unknown>));
    changes.push(replaced(ctx.path, draft.configuration.datetime.ntp_servers, next));
    draft.configuration.datetime.ntp_servers = next;
  });
  return getNtpServers(ctx);
}

export function createNtpServer(ctx: Ctx): Reply {
  const input = jsonBody(ctx);
  const entity = write(ctx, (draft, changes) => {
    const problems = ntpProblems(input, 'The body');
    if (problems.length) invalid(ctx.path, problems);
    const item = toNtp(input as Record<string, unknown>);
    changes.push({ type: 'create', path: ctx.path, new_value: { ...item } });
    draft.configuration.datetime.ntp_servers.push(item);
    return item;
  });
  const s = view(ctx);
  return { status: 201, body: setting(ctx, ctx.path, entity, s) };
}

function validTimezone(tz: string): boolean {
  if (tz.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function getTimezone(ctx: Ctx): Reply {
  const s = view(ctx);
  return { status: 200, body: setting(ctx, ctx.path, s.configuration.datetime.timezone, s) };
}

export function updateTimezone(ctx: Ctx): Reply {
  const input = jsonBody(ctx);
  write(ctx, (draft, changes) => {
    if (typeof input !== 'string') invalid(ctx.path, ['The body must be a JSON string holding an IANA time zone, e.g. "Europe/Budapest".']);
    if (!validTimezone(input)) invalid(ctx.path, [`Unknown time zone: ${input}.`]);
    changes.push(replaced(ctx.path, draft.configuration.datetime.timezone, input));
    draft.configuration.datetime.timezone = input;
  });
  return getTimezone(ctx);
}
