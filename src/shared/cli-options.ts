/**
 * What the command lines (`sps-conformance` and `sps-conformance discover`) share: the usage
 * error (exit 2, one line), option parsers, commander messages made safe to print, and the
 * password file.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';

/** A bad command line or option: exit 2, one line, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A commander option parser for a positive integer; the message names the option. */
/** A commander argument parser for a positive number (`--deadline 2.5`). */
export function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

/** Never echo what followed an option name: it could be a secret typed in the wrong place. */
export function safeCommanderMessage(message: string): string {
  return message
    .replace(/^error:\s*/i, '')
    .replace(/'(-{1,2}[^'=\s]+)=[^']*'/g, "'$1=…'")
    .split('\n')[0]!
    .trim();
}

/** The first line of `--password-file FILE`; a {@link UsageError} when unreadable or empty. */
export function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--password-file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first === '') throw new UsageError(`--password-file ${file}: the first line is empty`);
  return first;
}
