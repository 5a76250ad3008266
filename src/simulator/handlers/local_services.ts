/** /api/configuration/local_services/cluster: the cluster interface. */
import { isObject } from '../../shared/json.js';
import { jsonBody, view, write, type Ctx, type Reply } from '../appliance/context.js';
import { invalid } from '../appliance/errors.js';
import { setting } from '../appliance/meta.js';
import type { SimState } from '../state/model.js';
import { replaced } from '../state/store.js';
import { nicAddressExists, nicAddressRef } from './network.js';

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
    if (!isObject(input)) invalid(ctx.path, ['The body must be an object {enabled, listen_address}.']);
    const problems: string[] = [];
    if (typeof input.enabled !== 'boolean') problems.push('"enabled" must be a boolean.');
    if (typeof input.listen_address !== 'string') {
      problems.push('"listen_address" must be the key of a NIC address (a string such as nic1.interfaces.<id>.addresses.<id>).');
    } else if (!nicAddressExists(draft, input.listen_address)) {
      problems.push(`"listen_address" does not name an existing NIC address: ${input.listen_address}.`);
    }
    if (problems.length) invalid(ctx.path, problems);
    const old = draft.configuration.local_services.cluster;
    const next = { enabled: input.enabled as boolean, listen_address: input.listen_address as string };
    changes.push(replaced(ctx.path, old, next));
    draft.configuration.local_services.cluster = next;
  });
  return getClusterInterface(ctx);
}
