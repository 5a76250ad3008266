/** /api/configuration/management: system backup and the exported configuration's encryption. */
import { createHash } from 'node:crypto';
import { isObject } from '../../shared/json.js';
import { jsonBody, view, write, type Ctx, type Reply } from '../appliance/context.js';
import { invalid } from '../appliance/errors.js';
import { setting } from '../appliance/meta.js';
import type { GpgPublicKey } from '../state/model.js';
import { replaced } from '../state/store.js';
import { backupPolicyRef } from './policies.js';

export function getSystemBackup(ctx: Ctx): Reply {
  const s = view(ctx);
  const body = { backup_policy: backupPolicyRef(s.configuration.management.system_backup.backup_policy) };
  return { status: 200, body: setting(ctx, ctx.path, body, s) };
}

export function updateSystemBackup(ctx: Ctx): Reply {
  const input = jsonBody(ctx);
  write(ctx, (draft, changes) => {
    if (!isObject(input)) invalid(ctx.path, ['The body must be an object {backup_policy}.']);
    const key = input.backup_policy;
    if (typeof key !== 'string') invalid(ctx.path, ['"backup_policy" must be the key of a backup policy (a string).']);
    if (!(key in draft.configuration.policies.backup_policies)) {
      invalid(ctx.path, [`"backup_policy" does not name an existing backup policy: ${key}.`]);
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
      invalid(ctx.path, ['The body must be an object {encryption: {enabled, gpg_public_key}}.']);
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
    if (problems.length) invalid(ctx.path, problems);
    const next = { encryption: { enabled: enc.enabled as boolean, gpg_public_key: gpg } };
    changes.push(replaced(ctx.path, draft.configuration.management.exported_configuration_encryption, next));
    draft.configuration.management.exported_configuration_encryption = next;
  });
  return getExportedConfigurationEncryption(ctx);
}
