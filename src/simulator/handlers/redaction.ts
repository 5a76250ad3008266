import type { Change } from '../state.js';

const SECRET_KEYS = new Set(['psk', 'password']);

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.has(k) ? '<redacted>' : scrub(v);
    return out;
  }
  return value;
}

/** A change-log entry as served: secrets never leave through the change log. */
export function redactChange(change: Change): Change {
  const out: Change = { type: change.type, path: change.path };
  if ('old_value' in change) out.old_value = scrub(change.old_value);
  if ('new_value' in change) out.new_value = scrub(change.new_value);
  return out;
}
