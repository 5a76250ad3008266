/**
 * What a real SPS serves beyond the contract (`../shared/reference/real-clients.md`, "Endpoints
 * real clients call that the seeds do not document"), and more of the same kinds, so that
 * `sps-conformance discover` and its drafts are tested end to end: directories, settings,
 * a large list of objects by id (audit sessions), a binary download (a support bundle), an
 * endpoint that answers 403 to anyone but an admin, one that always errors 500, a large
 * directory of named settings, meta links that form cycles and links with `#fragments`.
 *
 * GET only (the route table has no other method for these paths: other methods answer 405).
 * The rows are marked `beyond: true` in routes/table.ts and are served only with
 * `startSimulator({ beyondContract: true })`. The values are plausible and carry secrets
 * (a psk, a password, a password hash, a token, host and user names, a certificate), each
 * from {@link beyondContractSecrets}, so that a test can prove they never reach a draft.
 */
import { createHash } from 'node:crypto';
import { view, type Ctx, type PublicCtx, type Reply } from '../appliance/context.js';
import { ApiError, notFound, unauthorized } from '../appliance/api-error.js';
import { configMeta, directory, setting } from '../appliance/meta.js';

/** The secrets node `index` hands out (fake, but shaped like the real thing). */
export function beyondContractSecrets(index: number) {
  const h = (label: string, n = 40): string => createHash('sha256').update(`sps-sim-beyond:${label}:${index}`).digest('hex').slice(0, n);
  return {
    smtpPassword: `Smtp-Pw-${h('smtp', 10)}`,
    smtpUser: `mailrelay-svc-${index}`,
    smtpHost: `smtp-${index}.corp-internal.example`,
    passwordHash: `$6$${h('salt', 16)}$${h('hash', 64)}`,
    localUser: `jdoe-${index}.operator`,
    sppToken: `spp_tok_${h('spp')}`,
    sppHost: `spp-${index}.vault.corp-internal.example`,
    starlingToken: `starling-join-${h('starling')}`,
    psk: `psk-${h('psk', 24)}`,
    hostname: `sps-prod-${index}`,
    sessionUser: `alice-${index}.contractor`,
    sessionServer: `db-prod-${index}.customer.example`,
    certificate: `-----BEGIN CERTIFICATE-----\nMIIB${h('cert', 48)}\n-----END CERTIFICATE-----\n`,
  };
}

const ids = (label: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => createHash('sha256').update(`${label}:${i}`).digest('hex').slice(0, 22)).sort();

/** `/api/audit/sessions`: a large list of objects by id (a real node lists millions). */
export const AUDIT_SESSION_IDS: readonly string[] = ids('audit-session', 1200);
export const SUPPORT_BUNDLE_IDS: readonly string[] = ids('support-bundle', 2);
/** `/api/configuration/reporting`: a large directory of named settings (walked, not sampled). */
export const REPORTING_SETTINGS: readonly string[] = Array.from(
  { length: 40 },
  (_, i) => `report_${String.fromCharCode(97 + Math.floor(i / 26))}${String.fromCharCode(97 + (i % 26))}`,
);

export const SUPPORT_BUNDLE_BYTES = 256 * 1024;

function secretsOf(ctx: PublicCtx): ReturnType<typeof beyondContractSecrets> {
  return beyondContractSecrets(ctx.appliance.index);
}

/** A directory of the route table (its items are the rows below it). */
export function listBeyondDirectory(ctx: Ctx): Reply {
  return { status: 200, body: directory(ctx, ctx.path, view(ctx)) };
}

/** A setting at the request path with the usual meta, plus extra meta links. */
function object(ctx: Ctx, body: unknown, extraMeta: Record<string, unknown> = {}): Reply {
  const env = setting(ctx, ctx.path, body, view(ctx)) as { meta: Record<string, unknown> };
  Object.assign(env.meta, extraMeta);
  return { status: 200, body: env };
}

/** GET /api/setup: the welcome wizard's state; answers without a session, top-level `status`. */
export function getSetup(ctx: PublicCtx): Reply {
  return {
    status: 200,
    body: {
      status: 'completed',
      // A fragment link and a link back into the tree (cycle: /api/firmware/slots links here).
      meta: { href: '/api/setup', parent: '/api', firmware: '/api/firmware/slots#active' },
      ...(ctx.session ? { hostname: secretsOf(ctx).hostname } : {}),
    },
  };
}

export function getFirmwareSlots(ctx: Ctx): Reply {
  const v = ctx.appliance.firmwareVersion;
  return object(
    ctx,
    {
      slots: [
        { slot: 'A', version: v, active: true, boot_after_reboot: true },
        { slot: 'B', version: '7.4.2', active: false, boot_after_reboot: false },
      ],
    },
    { setup: '/api/setup', info: '/api/info#firmware_version' },
  );
}

export function listSupportBundles(ctx: Ctx): Reply {
  const items = SUPPORT_BUNDLE_IDS.map((key, i) => ({
    key,
    body: { created: new Date(Date.UTC(2026, 10, 20 + i, 9, 30)).toISOString(), size: SUPPORT_BUNDLE_BYTES, status: 'ready' },
    meta: { href: `${ctx.path}/${key}` },
  }));
  return { status: 200, body: { items, meta: configMeta(ctx, ctx.path, view(ctx)) } };
}

export function getSupportBundle(ctx: Ctx): Reply {
  const id = ctx.params.bundleId ?? '';
  if (!SUPPORT_BUNDLE_IDS.includes(id)) throw notFound(ctx.path);
  return object(
    ctx,
    { created: '2026-11-20T09:30:00.000Z', size: SUPPORT_BUNDLE_BYTES, status: 'ready', requested_by: secretsOf(ctx).localUser },
    { download: `${ctx.path}/download` },
  );
}

/** A binary download (a zip); the secrets inside must never be read by a crawl. */
export function downloadSupportBundle(ctx: Ctx): Reply {
  const id = ctx.params.bundleId ?? '';
  if (!SUPPORT_BUNDLE_IDS.includes(id)) throw notFound(ctx.path);
  const s = secretsOf(ctx);
  const head = Buffer.from(`PK\u0003\u0004 sps-support-bundle ${id} psk=${s.psk} password=${s.smtpPassword}\n`, 'latin1');
  const data = Buffer.alloc(SUPPORT_BUNDLE_BYTES, 0x5a);
  head.copy(data);
  return {
    status: 200,
    body: data,
    headers: { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="support-bundle-${id}.zip"` },
  };
}

/** Always fails, as an appliance with a broken subsystem does. */
export function getCoreDumps(ctx: Ctx): Reply {
  throw new ApiError(500, 'InternalError', 'The core dump list could not be read.', { path: ctx.path });
}

/** GET /api/cluster/spp: the join to Safeguard for Privileged Passwords. */
export function getSppJoin(ctx: Ctx): Reply {
  const s = secretsOf(ctx);
  return object(ctx, { enabled: true, spp_address: s.sppHost, api_token: s.sppToken, spp_certificate: s.certificate, last_sync: '2026-11-30T23:00:00.000Z' });
}

export function getAdminWeb(ctx: Ctx): Reply {
  const s = secretsOf(ctx);
  return object(ctx, {
    listen_addresses: [{ address: `nic1.interfaces.default.addresses.${ctx.appliance.index}`, port: 443 }],
    certificate: s.certificate,
    ssl_client_authentication: false,
    session_timeout: 600,
  });
}

export function getEmailSettings(ctx: Ctx): Reply {
  const s = secretsOf(ctx);
  return object(ctx, {
    smtp_server: { selection: 'fqdn', value: s.smtpHost },
    port: 587,
    tls: true,
    username: s.smtpUser,
    password: s.smtpPassword,
    admin: null,
    sender: `sps@${s.smtpHost}`,
  });
}

export function getStarlingSettings(ctx: Ctx): Reply {
  return object(ctx, { enabled: true, region: 'eu', join: '/api/starling/join' }, { join: '/api/starling/join' });
}

export function getStarlingJoin(ctx: Ctx): Reply {
  const s = secretsOf(ctx);
  // A cycle: the join links back to the settings, which link here.
  return object(ctx, { status: 'joined', credential_string: s.starlingToken, subscription: s.hostname }, { settings: '/api/configuration/starling' });
}

export function getNaming(ctx: Ctx): Reply {
  const s = secretsOf(ctx);
  return object(ctx, { hostname: s.hostname, domainname: 'corp-internal.example', nameservers: { primary: '10.0.0.53', secondary: null } });
}

export function getLocalDatabase(ctx: Ctx): Reply {
  const s = secretsOf(ctx);
  return object(ctx, { users: [{ username: s.localUser, password_hash: s.passwordHash, groups: ['operators'] }], psk: s.psk });
}

/** 403 for everyone but an admin (the RADIUS shared secrets). */
export function getRadius(ctx: Ctx): Reply {
  if (ctx.session.role !== 'admin') throw unauthorized(ctx.path);
  return object(ctx, { servers: [{ address: '10.0.0.12', port: 1812, shared_secret: secretsOf(ctx).psk }] });
}

export function getReportingSetting(ctx: Ctx): Reply {
  const name = ctx.params.settingName ?? '';
  if (!REPORTING_SETTINGS.includes(name)) throw notFound(ctx.path);
  return object(ctx, { enabled: name.endsWith('a'), schedule: 'daily', recipients: [] });
}

export function listAuditSessions(ctx: Ctx): Reply {
  const items = AUDIT_SESSION_IDS.map((key) => ({ key, meta: { href: `${ctx.path}/${key}` } }));
  return { status: 200, body: { items, meta: { href: ctx.path, parent: '/api/audit' } } };
}

function auditSessionIndex(ctx: Ctx): number {
  const i = AUDIT_SESSION_IDS.indexOf(ctx.params.sessionId ?? '');
  if (i < 0) throw notFound(ctx.path);
  return i;
}

export function getAuditSession(ctx: Ctx): Reply {
  const i = auditSessionIndex(ctx);
  const s = secretsOf(ctx);
  return object(
    ctx,
    {
      protocol: i % 3 === 0 ? 'rdp' : 'ssh',
      user: s.sessionUser,
      server: { address: `10.20.${i % 250}.7`, hostname: s.sessionServer },
      start_time: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
      duration: 12.5 + i,
      verdict: 'ACCEPT',
    },
    { audit_trail: `${ctx.path}/audit_trail` },
  );
}

export function getAuditTrail(ctx: Ctx): Reply {
  const i = auditSessionIndex(ctx);
  return object(ctx, { format: 'zat', size: 1024 * (i + 1), available: true, indexed: i % 2 === 0 }, { session: ctx.path.slice(0, -'/audit_trail'.length) });
}
