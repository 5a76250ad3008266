import { describe, expect, it } from 'vitest';
import { REDACTED, SecretRegistry, redactHeaders, redactJson } from '../../src/redact.js';

describe('SecretRegistry', () => {
  it('replaces every occurrence of a registered secret', () => {
    const r = new SecretRegistry();
    r.add('S3cr3t-Pa55');
    expect(r.redact('pw=S3cr3t-Pa55 and again S3cr3t-Pa55.')).toBe(`pw=${REDACTED} and again ${REDACTED}.`);
  });

  it('uses the label as placeholder', () => {
    const r = new SecretRegistry();
    r.add('0123456789abcdef0123456789abcdef01234567', 'session_id');
    expect(r.redact('cookie session_id=0123456789abcdef0123456789abcdef01234567')).toBe('cookie session_id=<session_id>');
  });

  it('ignores undefined and empty secrets and leaves text untouched without secrets', () => {
    const r = new SecretRegistry();
    r.add(undefined);
    r.add('');
    expect(r.size).toBe(0);
    expect(r.redact('nothing to hide')).toBe('nothing to hide');
  });

  it('treats regular-expression characters in secrets literally', () => {
    const r = new SecretRegistry();
    r.add('a.b*c(d)');
    expect(r.redact('xa.b*c(d)y axbbbcdy')).toBe(`x${REDACTED}y axbbbcdy`);
  });

  it('redacts URL-encoded and JSON-escaped forms of a secret', () => {
    const r = new SecretRegistry();
    r.add('p@ss "word"/x');
    expect(r.redact(`q=${encodeURIComponent('p@ss "word"/x')}`)).toBe(`q=${REDACTED}`);
    expect(r.redact(JSON.stringify({ v: 'p@ss "word"/x' }))).toBe(`{"v":"${REDACTED}"}`);
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    const r = new SecretRegistry();
    r.add('abcd');
    r.add('abcdef-long');
    expect(r.redact('abcdef-long')).toBe(REDACTED);
  });

  it('registering a Basic header value covers the token, user:password and the password', () => {
    const r = new SecretRegistry();
    const token = Buffer.from('admin:Zebra-Quartz-42', 'utf8').toString('base64');
    r.add(`Basic ${token}`);
    expect(r.redact(`Authorization: Basic ${token}`)).not.toContain(token);
    expect(r.redact('login admin:Zebra-Quartz-42')).toBe(`login ${REDACTED}`);
    expect(r.redact('the password is Zebra-Quartz-42')).toBe(`the password is ${REDACTED}`);
  });

  it('addBasicCredentials covers the base64 of the UTF-8 user:password pair', () => {
    const r = new SecretRegistry();
    r.addBasicCredentials('admin', 'pässwörd-Ω', 'password');
    const token = Buffer.from('admin:pässwörd-Ω', 'utf8').toString('base64');
    expect(r.redact(`Basic ${token}`)).toBe('Basic <password>');
    expect(r.redact('pw pässwörd-Ω')).toBe('pw <password>');
    expect(r.contains('admin is the user')).toBe(false);
  });
});

describe('redactHeaders', () => {
  it('masks Cookie, Set-Cookie, Authorization and X-Token and keeps other headers', () => {
    const out = redactHeaders({
      Cookie: 'session_id=abc123; theme=dark',
      'set-cookie': 'session_id=abc123; Path=/; HttpOnly',
      Authorization: 'Basic YWRtaW46c2VjcmV0',
      'X-Token': 'csrf-token-value',
      'Content-Type': 'application/json',
    });
    expect(out).toEqual({
      Cookie: 'session_id=<session_id>; theme=<theme>',
      'set-cookie': 'session_id=<session_id>; Path=/; HttpOnly',
      Authorization: 'Basic <credentials>',
      'X-Token': '<x-token>',
      'Content-Type': 'application/json',
    });
  });

  it('masks each value of a multi-valued Set-Cookie', () => {
    const out = redactHeaders({ 'set-cookie': ['session_id=abc; Path=/', 'other=xyz'] });
    expect(out['set-cookie']).toEqual(['session_id=<session_id>; Path=/', 'other=<other>']);
  });

  it('does not modify its input', () => {
    const input = { authorization: 'Bearer tok' };
    redactHeaders(input);
    expect(input.authorization).toBe('Bearer tok');
  });
});

describe('redactJson', () => {
  it('replaces psk, password and session_id values at any depth', () => {
    const input = {
      body: { psk: 'join-psk-value', nested: [{ password: 'pw1', name: 'n' }] },
      session_id: 'sid',
      key: 'k',
    };
    expect(redactJson(input)).toEqual({
      body: { psk: REDACTED, nested: [{ password: REDACTED, name: 'n' }] },
      session_id: REDACTED,
      key: 'k',
    });
  });

  it('replaces the SNMP community of a local_services/snmp_agent body, and registers it for text', () => {
    const body = { body: { version_2c: { community: 'example-community-string', enabled: true }, system_contact: 'ops' }, key: 'snmp_agent' };
    expect(redactJson(body)).toEqual({ body: { version_2c: { community: REDACTED, enabled: true }, system_contact: 'ops' }, key: 'snmp_agent' });
    const r = new SecretRegistry();
    r.addFromJson(body);
    expect(r.redact('PUT failed for example-community-string')).not.toContain('example-community-string');
  });

  it('does not mutate its input', () => {
    const input = { psk: 'x', inner: { password: 'y' } };
    const copy = structuredClone(input);
    redactJson(input);
    expect(input).toEqual(copy);
  });

  it('matches key names case-insensitively and redacts object-valued secrets whole', () => {
    expect(redactJson({ PSK: 'a', Password: { hash: 'h' } })).toEqual({ PSK: REDACTED, Password: REDACTED });
  });

  it('applies a registry to every string when given one', () => {
    const r = new SecretRegistry();
    r.add('leaked-session-value', 'session_id');
    expect(redactJson({ message: 'bad session leaked-session-value', list: ['leaked-session-value'] }, r)).toEqual({
      message: 'bad session <session_id>',
      list: ['<session_id>'],
    });
  });

  it('passes primitives through and cuts cycles', () => {
    expect(redactJson(5)).toBe(5);
    expect(redactJson(null)).toBe(null);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(redactJson(cyclic)).toEqual({ a: 1, self: '<cycle>' });
  });
});

describe('short secrets, equal credentials and report values', () => {
  it('replaces a secret shorter than four characters only where it stands alone', () => {
    const r = new SecretRegistry();
    r.add('e', 'password');
    expect(r.redact('the password is e.')).toBe('the password is <password>.');
    expect(r.redact('every letter stays')).toBe('every letter stays');
    expect(r.redact('Basic e')).toBe('Basic <password>');
  });

  it('shows a password equal to the user name as <username> everywhere', () => {
    const r = new SecretRegistry();
    r.addBasicCredentials('operator', 'operator', 'password');
    expect(r.redact('logged in as operator')).toBe('logged in as <username>');
    expect(r.redact(Buffer.from('operator:operator').toString('base64'))).toBe('<username>');
  });

  it('redacts every string of a value, keys included, without touching its input', () => {
    const r = new SecretRegistry();
    r.add('s3cr3t-value', 'password');
    const input = { message: 'got s3cr3t-value', nested: [{ 's3cr3t-value': 1, n: 2 }], flag: true };
    const out = r.redactValues(input);
    expect(out).toEqual({ message: 'got <password>', nested: [{ '<password>': 1, n: 2 }], flag: true });
    expect(input.message).toBe('got s3cr3t-value');
  });
});
