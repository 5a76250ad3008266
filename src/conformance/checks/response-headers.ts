import { findSetCookie, parseSetCookie } from '../../shared/index.js';
import type { HeaderModel } from '../../model/operations.js';
import { NORMAL, WRITE } from '../check-api.js';
import { describeSource, readingPhrase, strengthOf, type Verdict } from '../../model/verdict.js';
import { isSoftBasis, readingResult, resultFor, type Basis, type CheckContext, type CheckDefinition, type RecordedResponse } from '../check-api.js';
import { documentedFor } from './util.js';

const check = 'response_headers';

/** The received values of one header (Set-Cookie may come several times). */
function received(res: RecordedResponse, name: string): string[] {
  const lower = name.toLowerCase();
  if (lower === 'set-cookie') return res.setCookies;
  const v = res.headers[lower];
  return v === undefined ? [] : [v];
}

/** A header value is text; a schema may document it as a number or a boolean. Undefined: it fits. */
function fits(ctx: CheckContext, pointer: string, value: string): Verdict | undefined {
  const asText = ctx.judge.judge(pointer, value);
  if (asText.valid) return undefined;
  const typed = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value === 'true' || value === 'false' ? value === 'true' : undefined;
  if (typed !== undefined && ctx.validator.validate(pointer, typed).valid) return undefined;
  return asText;
}

/** The cookie a documented Set-Cookie carries, named by its example (`session_id=...`). */
function documentedCookie(header: HeaderModel): string | undefined {
  return typeof header.example === 'string' ? parseSetCookie(header.example)?.name : undefined;
}

/**
 * `response_headers`: every header the spec documents for the response that came back is
 * present and matches its schema; a documented `Set-Cookie` sets the cookie its example names.
 * Values are never shown in messages: a Set-Cookie carries the session id.
 */
export const responseHeaders: CheckDefinition = {
  name: check,
  passes:
    "every header documented for the response is present and its value matches the header's schema; a documented `Set-Cookie` sets a usable cookie of the name in its example (the login's `session_id`)",
  mock: 'checked: Prism sends each documented header with its example',
  probes: [NORMAL, WRITE],
  run: (ctx, ex) => {
    const doc = documentedFor(ex);
    if (!ex.response || !doc || doc.headers.length === 0) return [];
    const res = ex.response;
    const problems: string[] = [];
    /** The described sources of the fact problems (vendor pages, SDK code). */
    const factSources = new Set<string>();
    /** Problems that break only soft rules (the header is an inference or reading; its schema fails, its vendor-only view passes). */
    const readingProblems: string[] = [];
    const reasons = new Set<string>();
    const softKinds = new Set<Basis>();
    for (const header of doc.headers) {
      const values = received(res, header.name);
      if (values.length === 0) {
        const source = ctx.judge.sourceAt(header.pointer);
        if (source && strengthOf(source.kind) === 'soft') {
          readingProblems.push(`documented header ${header.name} is missing`);
          reasons.add(describeSource(source));
          softKinds.add(source.kind);
        } else {
          problems.push(`documented header ${header.name} is missing`);
          factSources.add(describeSource(source));
        }
        continue;
      }
      if (header.schemaPointer) {
        const verdicts = values.map((v) => fits(ctx, header.schemaPointer!, v)).filter((v): v is Verdict => v !== undefined);
        const errors = [...new Set(verdicts.flatMap((v) => v.errors))].join('; ');
        if (verdicts.length > 0 && verdicts.every((v) => isSoftBasis(v.basis))) {
          readingProblems.push(`${header.name} does not match its schema: ${errors}`);
          for (const v of verdicts) for (const r of v.readings) reasons.add(r);
          for (const v of verdicts) if (v.basis) softKinds.add(v.basis);
        } else if (verdicts.length > 0) {
          problems.push(`${header.name} does not match its schema: ${errors}`);
          for (const v of verdicts) for (const s of v.sources) factSources.add(s);
        }
      }
      const cookie = header.name.toLowerCase() === 'set-cookie' ? documentedCookie(header) : undefined;
      if (cookie && findSetCookie(values, cookie) === undefined) problems.push(`Set-Cookie sets no usable ${cookie} cookie`);
    }
    const names = doc.headers.map((h) => h.name).join(', ');
    if (problems.length > 0) {
      const source = [...factSources].join(' / ') || describeSource(ctx.judge.sourceAt(ex.op.pointer));
      return [
        { ...resultFor(ex, check, 'failed', `${res.status}: ${[...problems, ...readingProblems].join('; ')}`), basis: 'vendor', strength: 'fact', source },
      ];
    }
    if (readingProblems.length > 0) {
      const basis: Basis = softKinds.has('reading') || softKinds.size === 0 ? 'reading' : [...softKinds][0]!;
      return [readingResult(ctx, ex, check, [...reasons], `${res.status}: ${readingPhrase([...reasons])}; ${readingProblems.join('; ')}`, basis)];
    }
    return [resultFor(ex, check, 'passed', `${res.status}: documented headers present and valid: ${names}`)];
  },
};
