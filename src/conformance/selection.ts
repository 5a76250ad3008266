import type { OperationModel, SpecModel } from '../model/operations.js';
import { CHECK_NAMES, FORMER_NAMES } from './checks/index.js';
import { UsageError } from '../shared/cli-options.js';
import type { CheckName } from './check-api.js';

/** Which operations and checks a run covers, from `--only` / `--skip` (tags, operationIds, check names). */
export interface Selection {
  includesOperation(op: OperationModel): boolean;
  includesCheck(check: CheckName): boolean;
}

function norm(s: string): string {
  return s.trim().toLowerCase();
}

/**
 * Builds the selection. A former check name (`status_code_conformance`) selects the check by
 * its current name, and `onDeprecation` is told once per former name.
 */
export function buildSelection(model: SpecModel, only: string[] = [], skip: string[] = [], onDeprecation?: (message: string) => void): Selection {
  const tags = new Set(model.operations.flatMap((o) => o.tags.map(norm)));
  const ids = new Set(model.operations.map((o) => norm(o.operationId)));
  const checks = new Set<string>(CHECK_NAMES);
  const told = new Set<string>();
  const split = (flag: string, values: string[]): { ops: Set<string>; checks: Set<string> } => {
    const out = { ops: new Set<string>(), checks: new Set<string>() };
    for (const raw of values.flatMap((v) => v.split(','))) {
      const v = norm(raw);
      if (v === '') continue;
      const renamed = FORMER_NAMES.get(v);
      if (renamed) {
        if (!told.has(v))
          onDeprecation?.(`${flag} ${v}: the check is now named ${renamed}; the old name still works for now and will be removed in a later release`);
        told.add(v);
        out.checks.add(renamed);
      } else if (checks.has(v)) out.checks.add(v);
      else if (tags.has(v) || ids.has(v)) out.ops.add(v);
      else {
        throw new UsageError(
          `${flag} ${JSON.stringify(raw.trim())} is not a tag, an operationId or a check name of this spec (tags: ${[...new Set(model.operations.flatMap((o) => o.tags))].join(', ')})`,
        );
      }
    }
    return out;
  };
  const inc = split('--only', only);
  const exc = split('--skip', skip);
  const opMatches = (op: OperationModel, set: Set<string>): boolean => set.has(norm(op.operationId)) || op.tags.some((t) => set.has(norm(t)));
  return {
    includesOperation: (op) => (inc.ops.size === 0 || opMatches(op, inc.ops)) && !opMatches(op, exc.ops),
    includesCheck: (c) => (inc.checks.size === 0 || inc.checks.has(c)) && !exc.checks.has(c),
  };
}
