/** Directories: `/api`, `/api/configuration`, `/api/configuration/datetime`, ..., `/api/cluster`. */
import { view, type Ctx, type Reply } from '../appliance/context.js';
import { directory } from '../appliance/meta.js';

/** GET of a fixed directory: its items are the route table's children of the path. */
export function listDirectory(ctx: Ctx): Reply {
  return { status: 200, body: directory(ctx, ctx.path, view(ctx)) };
}

/** GET /api/cluster: the doc sample carries one meta link per child besides href and parent. */
export function listClusterEndpoints(ctx: Ctx): Reply {
  const keys = ctx.appliance.children('/api/cluster', view(ctx)) ?? [];
  const meta: Record<string, string> = { href: '/api/cluster', parent: '/api' };
  for (const k of keys) meta[k] = `/api/cluster/${k}`;
  return {
    status: 200,
    body: { items: keys.map((key) => ({ key, meta: { href: `/api/cluster/${key}` } })), meta },
  };
}
