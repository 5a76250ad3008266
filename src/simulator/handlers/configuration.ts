/**
 * /api/configuration/...: local_services/cluster, datetime, management, policies, network.
 * GET answers `{body, key, meta}` from the session's view; PUT/POST validate, stage the change
 * (opening a transaction implicitly) and answer the new object.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { isObject, jsonBody, view, write, type Ctx, type Reply } from '../context.js';
import { notFound, semantic } from '../errors.js';
import { configMeta, directory } from '../meta.js';
import { lastSegment } from '../paths.js';
import { replaced, type GpgPublicKey, type Nic, type NtpServer, type SimState } from '../state.js';

const BACKUP_POLICIES = '/api/configuration/policies/backup_policies';
const NICS = '/api/configuration/network/nics';
const ADDRESS_KEY = /^(nic[0-9]+)\.interfaces\.([^.]+)\.addresses\.([^.]+)$/;

function setting(ctx: Ctx, href: string, body: unknown, state: SimState): unknown {
  return { body, key: lastSegment(href), meta: configMeta(ctx, href, state) };
}

function fail(ctx: Ctx, problems: string[]): never {
  throw semantic(problems.join(' '), { path: ctx.path, problems });
}

// ---- references -------------------------------------------------------------------------

export function nicAddressRef(key: string): { key: string; meta: { href: string } } {
  const m = ADDRESS_KEY.exec(key);
  const href = m ? `${NICS}/${m[1]}#interfaces/${m[2]}/addresses/${m[3]}` : `${NICS}#${key}`;
  return { key, meta: { href } };
}

export function nicAddressExists(state: SimState, key: string): boolean {
  const m = ADDRESS_KEY.exec(key);
  if (!m) return false;
  const nic = state.configuration.network.nics[m[1] as string];
  const iface = nic?.interfaces.find((i) => i.id === m[2]);
  return iface?.addresses.some((a) => a.id === m[3]) ?? false;
}

const backupPolicyRef = (key: string): { key: string; meta: { href: string } } => ({
  key,
  meta: { href: `${BACKUP_POLICIES}/${key}` },
});

// ---- local_services/cluster ---------------------------------------------------------------

function clusterInterfaceBody(state: SimState): unknown {
  const c = state.configuration.local_services.cluster;
  return { enabled: c.enabled, listen_address: nicAddressRef(c.listen_address) };
}

export function getClusterInterface(ctx: Ctx): Reply {
  const s = view(ctx);
  return { status: 200, body: setting(ctx, ctx.path, clusterInterfaceBody(s), s) };
}

export function updateClusterInterface(ctx: Ctx): Reply {
  const input = jsonBody(ctx);
  write(ctx, (draft, changes) => {
    if (!isObject(input)) fail(ctx, ['The body must be an object {enabled, listen_address}.']);
    const problems: string[] = [];
    if (typeof input.enabled !== 'boolean') problems.push('"enabled" must be a boolean.');
    if (typeof input.listen_address !== 'string') {
      problems.push('"listen_address" must be the key of a NIC address (a string such as nic1.interfaces.<id>.addresses.<id>).');
    } else if (!nicAddressExists(draft, input.listen_address)) {
      problems.push(`"listen_address" does not name an existing NIC address: ${input.listen_address}.`);
    }
    if (problems.length) fail(ctx, problems);
    const old = draft.configuration.local_services.cluster;
    const next = { enabled: input.enabled as boolean, listen_address: input.listen_address as string };
    changes.push(replaced(ctx.path, old, next));
    draft.configuration.local_services.cluster = next;
  });
  return getClusterInterface(ctx);
}

// ---- datetime -----------------------------------------------------------------------------

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
    if (!Array.isArray(input)) fail(ctx, ['The body must be an array of {selection, value} objects.']);
    const problems = input.flatMap((item, i) => ntpProblems(item, `[${i}]`));
    if (problems.length) fail(ctx, problems);
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
    if (problems.length) fail(ctx, problems);
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
    if (typeof input !== 'string') fail(ctx, ['The body must be a JSON string holding an IANA time zone, e.g. "Europe/Budapest".']);
    if (!validTimezone(input)) fail(ctx, [`Unknown time zone: ${input}.`]);
    changes.push(replaced(ctx.path, draft.configuration.datetime.timezone, input));
    draft.configuration.datetime.timezone = input;
  });
  return getTimezone(ctx);
}

// ---- management ---------------------------------------------------------------------------

export function getSystemBackup(ctx: Ctx): Reply {
  const s = view(ctx);
  const body = { backup_policy: backupPolicyRef(s.configuration.management.system_backup.backup_policy) };
  return { status: 200, body: setting(ctx, ctx.path, body, s) };
}

export function updateSystemBackup(ctx: Ctx): Reply {
  const input = jsonBody(ctx);
  write(ctx, (draft, changes) => {
    if (!isObject(input)) fail(ctx, ['The body must be an object {backup_policy}.']);
    const key = input.backup_policy;
    if (typeof key !== 'string') fail(ctx, ['"backup_policy" must be the key of a backup policy (a string).']);
    if (!(key in draft.configuration.policies.backup_policies)) {
      fail(ctx, [`"backup_policy" does not name an existing backup policy: ${key}.`]);
    }
    const old = draft.configuration.management.system_backup;
    changes.push(replaced(ctx.path, old, { backup_policy: key }));
    draft.configuration.management.system_backup = { backup_policy: key };
  });
  return getSystemBackup(ctx);
}

export function getExportedConfigurationEncryption(ctx: Ctx): Reply {
  const s = view(ctx);
  return { status: 200, body: setting(ctx, ctx.path, structuredClone(s.configuration.management.exported_configuration_encryption), s) };
}

const PGP_HEADER = '-----BEGIN PGP PUBLIC KEY BLOCK-----';

export function updateExportedConfigurationEncryption(ctx: Ctx): Reply {
  const input = jsonBody(ctx);
  write(ctx, (draft, changes) => {
    if (!isObject(input) || !isObject(input.encryption)) {
      fail(ctx, ['The body must be an object {encryption: {enabled, gpg_public_key}}.']);
    }
    const enc = input.encryption;
    const problems: string[] = [];
    if (typeof enc.enabled !== 'boolean') problems.push('"encryption.enabled" must be a boolean.');
    const key = enc.gpg_public_key;
    let gpg: GpgPublicKey | null = null;
    if (key === null || key === undefined) {
      if (enc.enabled === true) problems.push('Enabling encryption requires "encryption.gpg_public_key".');
    } else if (!isObject(key)) {
      problems.push('"encryption.gpg_public_key" must be an object {fingerprint, public_key, uids} or null.');
    } else {
      const pub = key.public_key;
      if (typeof pub !== 'string' || !pub.trim().startsWith(PGP_HEADER)) {
        problems.push(`"encryption.gpg_public_key.public_key" must be an ASCII-armoured key starting with ${PGP_HEADER}.`);
      }
      if (key.fingerprint !== undefined && (typeof key.fingerprint !== 'string' || !/^[0-9A-Fa-f]{40}$/.test(key.fingerprint))) {
        problems.push('"encryption.gpg_public_key.fingerprint" must be 40 hexadecimal characters.');
      }
      if (key.uids !== undefined && !(Array.isArray(key.uids) && key.uids.every((u) => typeof u === 'string'))) {
        problems.push('"encryption.gpg_public_key.uids" must be a list of strings.');
      }
      if (problems.length === 0) {
        const publicKey = pub as string;
        gpg = {
          fingerprint:
            typeof key.fingerprint === 'string'
              ? key.fingerprint.toUpperCase()
              : createHash('sha1').update(publicKey).digest('hex').toUpperCase(),
          public_key: publicKey,
          uids: Array.isArray(key.uids) ? (key.uids as string[]) : [],
        };
      }
    }
    if (problems.length) fail(ctx, problems);
    const next = { encryption: { enabled: enc.enabled as boolean, gpg_public_key: gpg } };
    changes.push(replaced(ctx.path, draft.configuration.management.exported_configuration_encryption, next));
    draft.configuration.management.exported_configuration_encryption = next;
  });
  return getExportedConfigurationEncryption(ctx);
}

// ---- policies -----------------------------------------------------------------------------

export function listBackupPolicies(ctx: Ctx): Reply {
  const s = view(ctx);
  const policies = s.configuration.policies.backup_policies;
  const items = Object.keys(policies)
    .sort()
    .map((key) => ({ key, body: structuredClone(policies[key]), meta: { href: `${BACKUP_POLICIES}/${key}` } }));
  return { status: 200, body: { items, meta: configMeta(ctx, BACKUP_POLICIES, s) } };
}

export function getBackupPolicy(ctx: Ctx): Reply {
  const s = view(ctx);
  const id = ctx.params.policyId ?? '';
  const policy = s.configuration.policies.backup_policies[id];
  if (!policy || !Object.hasOwn(s.configuration.policies.backup_policies, id)) throw notFound(ctx.path);
  return { status: 200, body: setting(ctx, `${BACKUP_POLICIES}/${id}`, structuredClone(policy), s) };
}

// ---- network ------------------------------------------------------------------------------

/** The API form of a NIC: keyed maps with an "@order" list, addresses as 'IP/prefix'. */
export function renderNic(nic: Nic): unknown {
  const interfaces: Record<string, unknown> = { '@order': nic.interfaces.map((i) => i.id) };
  for (const iface of nic.interfaces) {
    const addresses: Record<string, unknown> = { '@order': iface.addresses.map((a) => a.id) };
    for (const a of iface.addresses) addresses[a.id] = a.cidr;
    interfaces[iface.id] = { name: iface.name, vlantag: iface.vlantag, addresses };
  }
  return { interfaces };
}

export function listNics(ctx: Ctx): Reply {
  return { status: 200, body: directory(ctx, NICS, view(ctx)) };
}

export function getNic(ctx: Ctx): Reply {
  const s = view(ctx);
  const id = ctx.params.nicId ?? '';
  if (!Object.hasOwn(s.configuration.network.nics, id)) throw notFound(ctx.path);
  const nic = s.configuration.network.nics[id] as Nic;
  return { status: 200, body: setting(ctx, `${NICS}/${id}`, renderNic(nic), s) };
}
