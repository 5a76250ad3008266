/**
 * Test PKI made with `selfsigned` (v5, async): a CA, a server certificate signed by it for
 * 127.0.0.1/localhost, and one for another host name (to provoke a host name mismatch).
 */
import { generate } from 'selfsigned';

export interface KeyPair {
  key: string;
  cert: string;
}

export interface TestPki {
  /** PEM of the CA that signed `server` and `wrongHost`. */
  ca: string;
  /** Valid for 127.0.0.1 and localhost. */
  server: KeyPair;
  /** Signed by the same CA, valid only for sps.other.example. */
  wrongHost: KeyPair;
  /** PEM of an unrelated CA. */
  otherCa: string;
}

/** A self-signed EC test CA. */
export async function makeCa(name: string): Promise<KeyPair> {
  const pems = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

const LOOPBACK_NAMES = [
  { type: 7 as const, ip: '127.0.0.1' },
  { type: 2 as const, value: 'localhost' },
];

/**
 * A leaf certificate signed by `ca`: a server certificate (for `altNames`, default 127.0.0.1 and
 * localhost) or a client certificate (no subject alternative names).
 */
export async function makeLeaf(
  ca: KeyPair,
  commonName: string,
  usage: 'server' | 'client' = 'server',
  altNames: { type: 2 | 7; value?: string; ip?: string }[] = LOOPBACK_NAMES,
): Promise<KeyPair> {
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    usage === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
  ];
  if (usage === 'server') extensions.push({ name: 'subjectAltName', altNames });
  const pems = await generate([{ name: 'commonName', value: commonName }], { keyType: 'ec', algorithm: 'sha256', ca, extensions: extensions as never });
  return { key: pems.private, cert: pems.cert };
}

let cached: Promise<TestPki> | undefined;

export function testPki(): Promise<TestPki> {
  cached ??= (async () => {
    const ca = await makeCa('sps-contract test CA');
    const other = await makeCa('unrelated test CA');
    const server = await makeLeaf(ca, 'localhost');
    const wrongHost = await makeLeaf(ca, 'sps.other.example', 'server', [{ type: 2, value: 'sps.other.example' }]);
    return { ca: ca.cert, server, wrongHost, otherCa: other.cert };
  })();
  return cached;
}
