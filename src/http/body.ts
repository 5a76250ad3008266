/**
 * What a response becomes: headers normalised (lower-cased, Set-Cookie kept apart), the JSON
 * content-type test, the parsed JSON body, and the streaming body read that stops early for
 * `jsonOnly` (a body that is not JSON is abandoned unread) and `maxBodyBytes`.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { isJsonMediaType, mediaTypeBase, tryParseJson } from '../shared/index.js';

/** Why a body was not read. */
export type BodySkipped = 'not-json' | 'too-large';

/**
 * What is kept of a body that is not JSON when it is digested instead of read: its size, its
 * content type and the sha256 of the bytes read, never the bytes themselves.
 */
export interface BodyDigest {
  contentType: string;
  /** Bytes read (all of them unless `truncated`). */
  bytes: number;
  /** sha256 (hex) of the bytes read. */
  sha256: string;
  /** The body was longer than the read limit: the rest was abandoned unread. */
  truncated: boolean;
}

/** Lower-cased header names; repeated headers joined with `, `; every Set-Cookie value kept in order. */
export function normaliseHeaders(raw: Record<string, string | string[] | undefined>): {
  headers: Record<string, string>;
  setCookies: string[];
} {
  const headers: Record<string, string> = {};
  const setCookies: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const values = Array.isArray(value) ? value : [value];
    if (lower === 'set-cookie') {
      setCookies.push(...values);
      headers[lower] = values.join(', ');
    } else {
      headers[lower] = headers[lower] === undefined ? values.join(', ') : `${headers[lower]}, ${values.join(', ')}`;
    }
  }
  return { headers, setCookies };
}

/** Whether a content type denotes JSON (`application/json`, `application/problem+json`, ...). */
export function isJsonContentType(contentType: string | undefined | null): boolean {
  // Also `text/json`, which some servers send for JSON.
  return isJsonMediaType(contentType) || mediaTypeBase(contentType) === 'text/json';
}

/** The parsed body when the content type is JSON and the body parses; otherwise undefined. */
export function parseJson(text: string, contentType: string | undefined): unknown | undefined {
  return isJsonContentType(contentType) ? tryParseJson(text) : undefined;
}

/**
 * Reads a streamed body whole, unless `jsonOnly` and the content type is not JSON, or it grows
 * past `maxBodyBytes`: then the stream is destroyed and the body is empty, with the reason.
 */
export async function readLimitedBody(
  body: Readable,
  contentType: string | string[] | undefined,
  limits: { jsonOnly?: boolean | undefined; maxBodyBytes?: number | undefined; digestNonJson?: number | undefined },
): Promise<{ body: Buffer; bodySkipped?: BodySkipped; digest?: BodyDigest }> {
  // Abandoning a body (destroy) makes undici emit an AbortError on it: expected, not a failure.
  body.on('error', () => undefined);
  const type = Array.isArray(contentType) ? contentType.join(', ') : contentType;
  if (limits.jsonOnly && !isJsonContentType(type)) {
    body.destroy();
    return { body: Buffer.alloc(0), bodySkipped: 'not-json' };
  }
  if (limits.digestNonJson !== undefined && !isJsonContentType(type))
    return { body: Buffer.alloc(0), digest: await digestBody(body, type ?? '', limits.digestNonJson) };
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    bytes += (chunk as Buffer).length;
    if (limits.maxBodyBytes !== undefined && bytes > limits.maxBodyBytes) {
      body.destroy();
      return { body: Buffer.alloc(0), bodySkipped: 'too-large' };
    }
    chunks.push(chunk as Buffer);
  }
  return { body: Buffer.concat(chunks) };
}

/** Hashes at most `maxBytes` of a body and abandons the rest: no byte of it is kept. */
async function digestBody(body: Readable, contentType: string, maxBytes: number): Promise<BodyDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  let truncated = false;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    const room = maxBytes - bytes;
    if (buf.length > room) {
      if (room > 0) hash.update(buf.subarray(0, room));
      bytes += Math.max(room, 0);
      truncated = true;
      break;
    }
    hash.update(buf);
    bytes += buf.length;
  }
  if (truncated) body.destroy();
  return { contentType: mediaTypeBase(contentType), bytes, sha256: hash.digest('hex'), truncated };
}
