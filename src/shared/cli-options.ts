/**
 * What the command lines (`sps-conformance` and `sps-conformance discover`) share: the usage
 * error (exit 2, one line), option parsers, commander messages made safe to print, and the
 * password file.
 */
import { readFileSync } from 'node:fs';
import { CommanderError, InvalidArgumentError, type Command } from 'commander';
import { DocumentError, readDocument } from './documents.js';

/** A bad command line or option: exit 2, one line, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A commander argument parser for a positive number (`--deadline 2.5`). */
export function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

/** A commander option parser for a positive integer; the message names the option. */
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

/**
 * The per-request timeout of both command lines in milliseconds: `--timeout SECONDS` (durations
 * are seconds in every flag), or the former `--timeout-ms MS`, still accepted with a deprecation
 * line; a {@link UsageError} when both are given or the seconds round to less than 1 ms.
 */
export function timeoutFlag(opts: { timeout?: number; timeoutMs?: number }, deprecated: (message: string) => void): number | undefined {
  if (opts.timeout !== undefined && opts.timeoutMs !== undefined)
    throw new UsageError(`--timeout and --timeout-ms exclude each other (--timeout-ms is its former spelling)`);
  if (opts.timeoutMs !== undefined) {
    deprecated(`--timeout-ms is now --timeout <seconds>: --timeout-ms ${opts.timeoutMs} is --timeout ${opts.timeoutMs / 1000}`);
    return opts.timeoutMs;
  }
  if (opts.timeout === undefined) return undefined;
  const ms = Math.round(opts.timeout * 1000);
  if (ms < 1) throw new UsageError(`--timeout ${opts.timeout}: less than a millisecond (give seconds, e.g. 0.5)`);
  return ms;
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

/**
 * Parses `argv` with a program built with `exitOverride()`: its options, or the exit code when
 * the run ends here (0 after `--help`, 2 after a usage error, reported through `fail`).
 */
export function parseCommandLine<T>(program: Command, argv: string[], fail: (reason: string) => number): { opts: T } | { exit: number } {
  try {
    program.parse(argv, { from: 'user' });
    return { opts: program.opts<T & Record<string, unknown>>() };
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return { exit: 0 };
      return { exit: fail(`${safeCommanderMessage(err.message)} (see --help)`) };
    }
    return { exit: fail(`usage error: ${(err as Error).message}`) };
  }
}

/**
 * Reads a YAML file, or JSON when its name ends in `.json`, given with `flag` (`--roles`);
 * a {@link UsageError} naming the flag and the file when it cannot be read or parsed. The
 * parser's message is cut to its first line: it may quote the file.
 */
export function readYamlOrJsonFile(flag: string, file: string): unknown {
  try {
    return readDocument(file);
  } catch (err) {
    if (!(err instanceof DocumentError)) throw err;
    throw new UsageError(err.stage === 'read' ? `${flag} ${file}: cannot read it (${err.reason})` : `${flag} ${file}: not valid ${err.format} (${err.reason})`);
  }
}
