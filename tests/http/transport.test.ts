import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejectionOf } from '../helpers/rejection.js';
import { classifyTransportError, createTransport, safeUrl, TransportError, type Transport } from '../../src/http/transport.js';
import { testPki, type TestPki } from '../helpers/certs.js';
import { refusedUrl, startServer, startTcpServer, type TestServer } from '../helpers/servers.js';

const transports: Transport[] = [];
function transport(opts: Parameters<typeof createTransport>[0] = {}): Transport {
  const t = createTransport(opts);
  transports.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

const failure = (p: Promise<unknown>): Promise<TransportError> => rejectionOf(p, TransportError);

describe('request() over plain HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res, body) => {
      if (req.url === '/json') {
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'X-Custom': 'Yes',
          'Set-Cookie': ['session_id=abc; Path=/', 'theme=dark'],
        });
        res.end(JSON.stringify({ echo: body, method: req.method }));
      } else if (req.url === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('{"looks":"like json"}');
      } else if (req.url === '/badjson') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"unterminated": ');
      } else {
        res.writeHead(204);
        res.end();
      }
    });
  });
  afterAll(() => server.close());

  it('returns status, lower-cased headers, every Set-Cookie, body text and parsed JSON', async () => {
    const r = await transport().request({ method: 'PUT', url: `${server.url}/json`, body: '{"a":1}' });
    expect(r.status).toBe(200);
    expect(r.headers['x-custom']).toBe('Yes');
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Object.keys(r.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(r.setCookies).toEqual(['session_id=abc; Path=/', 'theme=dark']);
    expect(r.json).toEqual({ echo: '{"a":1}', method: 'PUT' });
    expect(r.bodyText).toBe('{"echo":"{\\"a\\":1}","method":"PUT"}');
    expect(r.durationMs).toBeGreaterThan(0);
  });

  it('leaves json undefined for a non-JSON content type and for unparsable JSON', async () => {
    const t = transport();
    const text = await t.request({ method: 'GET', url: `${server.url}/text` });
    expect(text.bodyText).toBe('{"looks":"like json"}');
    expect(text.json).toBeUndefined();
    const bad = await t.request({ method: 'GET', url: `${server.url}/badjson` });
    expect(bad.status).toBe(200);
    expect(bad.json).toBeUndefined();
  });

  it("POST with body '' sends Content-Length: 0", async () => {
    await transport().request({ method: 'POST', url: `${server.url}/empty`, body: '' });
    const seen = server.seen.at(-1);
    expect(seen?.method).toBe('POST');
    expect(seen?.headers['content-length']).toBe('0');
  });

  it('POST without a body sends neither Content-Length nor Transfer-Encoding', async () => {
    const r = await transport().request({ method: 'POST', url: `${server.url}/empty` });
    expect(r.status).toBe(204);
    const seen = server.seen.at(-1);
    expect(seen?.method).toBe('POST');
    expect(seen?.headers['content-length']).toBeUndefined();
    expect(seen?.headers['transfer-encoding']).toBeUndefined();
  });

  it('GET sends no body length and the configured User-Agent unless the request sets one', async () => {
    const t = transport({ userAgent: 'probe/9' });
    await t.request({ method: 'GET', url: `${server.url}/empty` });
    expect(server.seen.at(-1)?.headers['content-length']).toBeUndefined();
    expect(server.seen.at(-1)?.headers['user-agent']).toBe('probe/9');
    await t.request({ method: 'GET', url: `${server.url}/empty`, headers: { 'User-Agent': 'mine/1' } });
    expect(server.seen.at(-1)?.headers['user-agent']).toBe('mine/1');
  });
});

describe('fetch()', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
      res.end(JSON.stringify({ method: req.method, body, cl: req.headers['content-length'] ?? null }));
    });
  });
  afterAll(() => server.close());

  it('accepts a Request, sends its body and returns a readable Response with all cookies', async () => {
    const res = await transport().fetch(new Request(`${server.url}/x`, { method: 'PUT', body: '{"v":2}', headers: { 'content-type': 'application/json' } }));
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ method: 'PUT', body: '{"v":2}', cl: '7' });
  });

  it('sends Content-Length: 0 for a POST without a body, as fetch does', async () => {
    const res = await transport().fetch(`${server.url}/x`, { method: 'POST' });
    expect(await res.json()).toEqual({ method: 'POST', body: '', cl: '0' });
  });

  it('rejects with a TransportError, not a TypeError, when the connection is refused', async () => {
    const err = await failure(transport().fetch(`${await refusedUrl()}/api`));
    expect(err.kind).toBe('connection');
  });
});

describe('failures map to TransportError kinds', () => {
  it("connection refused -> 'connection'", async () => {
    const url = `${await refusedUrl()}/api/transaction`;
    const err = await failure(transport().request({ method: 'GET', url }));
    expect(err.kind).toBe('connection');
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.method).toBe('GET');
    expect(err.message).toContain(`GET ${url}`);
  });

  it("a server that never answers -> 'timeout' within the bound", async () => {
    const hang = await startTcpServer(() => undefined);
    try {
      const started = Date.now();
      const err = await failure(transport({ timeoutMs: 300 }).request({ method: 'GET', url: `${hang.url}/api` }));
      const elapsed = Date.now() - started;
      expect(err.kind).toBe('timeout');
      expect(err.message).toContain('300 ms');
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(3000);
    } finally {
      await hang.close();
    }
  });

  it("a body that stalls after the headers -> 'timeout' (the timeout covers the body)", async () => {
    const stall = await startTcpServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"partial":');
      });
    });
    try {
      const err = await failure(transport({ timeoutMs: 400 }).request({ method: 'GET', url: `${stall.url}/api` }));
      expect(err.kind).toBe('timeout');
    } finally {
      await stall.close();
    }
  });

  it('fetch applies the same whole-request timeout', async () => {
    const hang = await startTcpServer(() => undefined);
    try {
      const err = await failure(transport({ timeoutMs: 300 }).fetch(`${hang.url}/api`));
      expect(err.kind).toBe('timeout');
    } finally {
      await hang.close();
    }
  });

  it("a connection closed before the response -> 'reset'", async () => {
    const rst = await startTcpServer((socket) => {
      socket.once('data', () => socket.destroy());
    });
    try {
      const err = await failure(transport().request({ method: 'GET', url: `${rst.url}/api` }));
      expect(err.kind).toBe('reset');
    } finally {
      await rst.close();
    }
  });

  it('messages name method and URL but no header values and no query values', async () => {
    const url = `${await refusedUrl()}/api/authentication?login_method=local&password=Query-Secret-77`;
    const err = await failure(
      transport().request({
        method: 'get',
        url,
        headers: { Authorization: 'Basic SGVhZGVyLVNlY3JldC04OA==', Cookie: 'session_id=Cookie-Secret-99' },
      }),
    );
    expect(err.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/api\/authentication\?login_method=<redacted>&password=<redacted> failed: /);
    for (const secret of ['Query-Secret-77', 'SGVhZGVyLVNlY3JldC04OA==', 'Cookie-Secret-99', 'local']) {
      expect(err.message).not.toContain(secret);
      expect(err.url).not.toContain(secret);
    }
  });

  it("an invalid URL -> 'other' without a network attempt", async () => {
    const err = await failure(transport().request({ method: 'GET', url: 'not a url' }));
    expect(err.kind).toBe('other');
  });

  it('requests after close() fail', async () => {
    const t = createTransport();
    await t.close();
    const err = await failure(t.request({ method: 'GET', url: 'http://127.0.0.1:9/' }));
    expect(err.message).toContain('closed');
  });
});

describe('TLS', () => {
  let pki: TestPki;
  let good: TestServer;
  let wrongHost: TestServer;
  beforeAll(async () => {
    pki = await testPki();
    const ok = (_req: unknown, res: import('node:http').ServerResponse): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"tls":true}');
    };
    good = await startServer(ok, pki.server);
    wrongHost = await startServer(ok, pki.wrongHost);
  });
  afterAll(async () => {
    await good.close();
    await wrongHost.close();
  });

  it("rejects a certificate from an unknown CA by default with kind 'tls'", async () => {
    const err = await failure(transport().request({ method: 'GET', url: `${good.url}/api` }));
    expect(err.kind).toBe('tls');
  });

  it('accepts the certificate when its CA is passed as ca', async () => {
    const r = await transport({ ca: pki.ca }).request({ method: 'GET', url: `${good.url}/api` });
    expect(r.json).toEqual({ tls: true });
  });

  it("rejects a certificate for another host name even with the right CA (kind 'tls')", async () => {
    const err = await failure(transport({ ca: pki.ca }).request({ method: 'GET', url: `${wrongHost.url}/api` }));
    expect(err.kind).toBe('tls');
    expect(err.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('rejects with an unrelated CA', async () => {
    const err = await failure(transport({ ca: pki.otherCa }).request({ method: 'GET', url: `${good.url}/api` }));
    expect(err.kind).toBe('tls');
  });

  it('skips verification only with insecure: true', async () => {
    const r = await transport({ insecure: true }).request({ method: 'GET', url: `${wrongHost.url}/api` });
    expect(r.status).toBe(200);
  });

  it('the no-body-length path verifies TLS too', async () => {
    const err = await failure(transport().request({ method: 'POST', url: `${good.url}/api/transaction` }));
    expect(err.kind).toBe('tls');
    const ok = await transport({ ca: pki.ca }).request({ method: 'POST', url: `${good.url}/api/transaction` });
    expect(ok.status).toBe(200);
    expect(good.seen.at(-1)?.headers['content-length']).toBeUndefined();
  });
});

describe('classifyTransportError', () => {
  const cases: [string, unknown, string][] = [
    ['DNS failure', Object.assign(new Error('getaddrinfo ENOTFOUND sps.invalid'), { code: 'ENOTFOUND' }), 'dns'],
    ['temporary DNS failure', Object.assign(new Error('x'), { code: 'EAI_AGAIN' }), 'dns'],
    ['self-signed', Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'tls'],
    ['self-signed in chain', Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'tls'],
    ['refused, wrapped in a TypeError cause', new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }), 'connection'],
    ['refused inside an AggregateError', new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), 'connection'],
    ['reset', Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'reset'],
    ['undici socket closed', Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), 'reset'],
    ['undici headers timeout', Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), 'timeout'],
    ['no code', new Error('weird'), 'other'],
  ];
  it.each(cases)('%s', (_name, err, kind) => {
    expect(classifyTransportError(err).kind).toBe(kind);
  });
});

describe('safeUrl', () => {
  it('removes user info and query values', () => {
    expect(safeUrl('https://user:pw@sps.example:8443/api/x?login_method=local&token=abc')).toBe(
      'https://sps.example:8443/api/x?login_method=<redacted>&token=<redacted>',
    );
  });
});

describe('transport: jsonOnly and maxBodyBytes (the discovery crawl never reads a download)', () => {
  let server: TestServer;
  let transport: Transport;
  const sent = { download: 0 };
  const BIG = 4 * 1024 * 1024;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url === '/download') {
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': BIG });
        const chunk = Buffer.alloc(64 * 1024, 1);
        const pump = (): void => {
          while (sent.download < BIG && !res.destroyed) {
            sent.download += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (sent.download >= BIG) res.end();
        };
        pump();
      } else if (req.url === '/page') {
        res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<html>secret-looking page</html>');
      } else if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ rows: 'x'.repeat(50_000) }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }
    });
    transport = createTransport({ timeoutMs: 5000 });
  });
  afterAll(async () => {
    await transport.close();
    await server.close();
  });

  it('abandons a body that is not JSON, unread', async () => {
    const res = await transport.request({ method: 'GET', url: `${server.url}/download`, jsonOnly: true });
    expect(res).toMatchObject({ status: 200, bodySkipped: 'not-json', bodyText: '' });
    expect(res.headers['content-type']).toBe('application/zip');
    expect(sent.download).toBeLessThan(BIG);
  });

  it('abandons a JSON body over maxBodyBytes, and reads one within it', async () => {
    expect(await transport.request({ method: 'GET', url: `${server.url}/big`, jsonOnly: true, maxBodyBytes: 10_000 })).toMatchObject({
      bodySkipped: 'too-large',
      bodyText: '',
      json: undefined,
    });
    const small = await transport.request({ method: 'GET', url: `${server.url}/small`, jsonOnly: true, maxBodyBytes: 10_000 });
    expect(small.bodySkipped).toBeUndefined();
    expect(small.json).toEqual({ ok: true });
    // Without the options the whole body is read, as before.
    expect((await transport.request({ method: 'GET', url: `${server.url}/big` })).bodyText.length).toBeGreaterThan(50_000);
  });

  it('digestNonJson: a body that is not JSON becomes type, size and sha256, read at most to the limit', async () => {
    const res = await transport.request({ method: 'GET', url: `${server.url}/download`, digestNonJson: 100_000 });
    expect(res.bodyText).toBe('');
    expect(res.json).toBeUndefined();
    expect(res.digest).toEqual({
      contentType: 'application/zip',
      bytes: 100_000,
      sha256: createHash('sha256').update(Buffer.alloc(100_000, 1)).digest('hex'),
      truncated: true,
    });
    const page = await transport.request({ method: 'GET', url: `${server.url}/page`, digestNonJson: 100_000 });
    expect(page).toMatchObject({ status: 500, bodyText: '' });
    expect(page.digest).toEqual({
      contentType: 'text/html',
      bytes: 32,
      sha256: createHash('sha256').update('<html>secret-looking page</html>').digest('hex'),
      truncated: false,
    });
    // JSON is still read and parsed.
    const json = await transport.request({ method: 'GET', url: `${server.url}/small`, digestNonJson: 100_000 });
    expect(json.json).toEqual({ ok: true });
    expect(json.digest).toBeUndefined();
  });
});
