import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface SimTls {
  caPem: string;
  caFile: string;
  key: string;
  cert: string;
  dir: string;
  cleanup(): Promise<void>;
}

/**
 * A throw-away CA and a server certificate it signed, valid for localhost, 127.0.0.1 and ::1.
 * The CA PEM is written to a fresh temporary directory so that other processes (curl, the
 * conformance CLI) can trust it; `cleanup()` removes the directory.
 */
export async function createSimulatorTls(): Promise<SimTls> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 7 * 24 * 3600_000);
  const ca = await generate([{ name: 'commonName', value: 'SPS Simulator Local CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'sps-sim-'));
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.cert, { mode: 0o644 });
  return {
    caPem: ca.cert,
    caFile,
    key: server.private,
    cert: server.cert,
    dir,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
