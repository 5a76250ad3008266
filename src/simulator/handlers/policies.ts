/** /api/configuration/policies: backup policies (read-only here). */
import { view, type Ctx, type Reply } from '../appliance/context.js';
import { notFound } from '../appliance/errors.js';
import { configMeta, setting } from '../appliance/meta.js';

export const BACKUP_POLICIES = '/api/configuration/policies/backup_policies';

export const backupPolicyRef = (key: string): { key: string; meta: { href: string } } => ({
  key,
  meta: { href: `${BACKUP_POLICIES}/${key}` },
});

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
