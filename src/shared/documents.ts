/**
 * The one home of reading a YAML or JSON document (the spec, a baseline, a roles file, the
 * bundles the scripts read): JSON when the file name ends in `.json`, YAML otherwise. Errors name
 * the file and carry only the first line of the parser's message (a parser may quote the file,
 * and a file may hold a password). Callers wrap {@link DocumentError} in their own error type.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export class DocumentError extends Error {
  constructor(
    readonly file: string,
    /** `read`: the file could not be read; `parse`: it is not valid JSON or YAML. */
    readonly stage: 'read' | 'parse',
    /** The errno code, or the first line of the parser's message. */
    readonly reason: string,
    /** `JSON` or `YAML`: what the file was parsed as. */
    readonly format: 'JSON' | 'YAML',
  ) {
    super(stage === 'read' ? `cannot read ${file} (${reason})` : `${file}: not valid ${format} (${reason})`);
    this.name = 'DocumentError';
  }
}

const isJsonFile = (file: string): boolean => /\.json$/i.test(file);

/** Parses `text` as the document `file` names: JSON for `.json`, YAML otherwise. */
export function parseDocument(text: string, file: string): unknown {
  const format = isJsonFile(file) ? 'JSON' : 'YAML';
  try {
    return format === 'JSON' ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
  } catch (err) {
    throw new DocumentError(file, 'parse', (err as Error).message.split('\n')[0] ?? 'error', format);
  }
}

/** Reads and parses a YAML or JSON file; a {@link DocumentError} when it cannot. */
export function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DocumentError(file, 'read', (err as NodeJS.ErrnoException).code ?? 'error', isJsonFile(file) ? 'JSON' : 'YAML');
  }
  return parseDocument(text, file);
}
