/** /api/configuration/network: the NICs, and references to their addresses. */
import { view, type Ctx, type Reply } from '../appliance/context.js';
import { notFound } from '../appliance/errors.js';
import { directory, setting } from '../appliance/meta.js';
import type { Nic, SimState } from '../state/model.js';

export const NICS = '/api/configuration/network/nics';
const ADDRESS_KEY = /^(nic[0-9]+)\.interfaces\.([^.]+)\.addresses\.([^.]+)$/;

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
