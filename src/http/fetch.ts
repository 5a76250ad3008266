/**
 * The `fetch` a transport hands to openapi-fetch: a WHATWG `Request`/`init` turned into one
 * raw send (payload methods without a body get `Content-Length: 0`, as WHATWG fetch does), and
 * the answer turned into a `Response` (a null body for 204/304 and the like).
 */
import { TransportError } from './transport-error.js';
import { PAYLOAD_METHODS, type SendInput, type SendOutput } from './send.js';

/** Statuses whose Response must have a null body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function toBuffer(body: unknown): Buffer | string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof URLSearchParams) return body.toString();
  return undefined;
}

/** A fetch over `send` (which owns the timeout, the agent and the error mapping). */
export function createFetch(send: (input: SendInput) => Promise<SendOutput>): typeof globalThis.fetch {
  const boundFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url: string;
    let method = 'GET';
    let headers = new Headers();
    let body: string | Buffer | undefined;
    let signal: AbortSignal | null | undefined;
    if (typeof input === 'string' || input instanceof URL) {
      url = input.toString();
    } else {
      url = input.url;
      method = input.method;
      headers = new Headers(input.headers);
      signal = input.signal;
      if (input.body !== null && init?.body === undefined) {
        body = Buffer.from(await input.arrayBuffer());
      }
    }
    if (init?.method) method = init.method;
    if (init?.headers) headers = new Headers(init.headers);
    if (init?.signal !== undefined) signal = init.signal;
    if (init?.body !== undefined && init.body !== null) {
      const converted = toBuffer(init.body);
      if (converted === undefined) {
        throw new TransportError('other', method, url, 'unsupported request body type');
      }
      body = converted;
    }
    method = method.toUpperCase();
    // WHATWG fetch semantics: a payload method without a body still sends Content-Length: 0.
    if (body === undefined && PAYLOAD_METHODS.has(method)) body = '';
    const plainHeaders: Record<string, string> = {};
    headers.forEach((value, name) => {
      plainHeaders[name] = value;
    });
    const out = await send({ method, url, headers: plainHeaders, body, signal });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(out.rawHeaders)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
    }
    let response: Response;
    try {
      response = new Response(NULL_BODY_STATUSES.has(out.status) ? null : out.body, {
        status: out.status,
        statusText: out.statusText,
        headers: responseHeaders,
      });
    } catch (err) {
      throw new TransportError('other', method, url, `unusable response status ${out.status}`, { cause: err });
    }
    Object.defineProperty(response, 'url', { value: url });
    return response;
  };
  return boundFetch as typeof globalThis.fetch;
}
