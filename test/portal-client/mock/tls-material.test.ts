import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassgateError } from '../../../firmware/core/errors.js';
import {
  createTlsMaterial,
  ipAddressBytes,
  loadOrCreateTlsMaterial,
} from '../../../portal-client/mock/tls-material.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';

const HOSTS = ['localhost', '127.0.0.1', '::1'];
const DAY_MS = 86_400_000;
const now = new Date();
const material = createTlsMaterial({ hosts: HOSTS, validDays: 30, now });
const otherMaterial = createTlsMaterial({ hosts: HOSTS, validDays: 30 });
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'passgate-tls-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof PassgateError ? error.code : `not a PassgateError: ${String(error)}`;
  }
}

describe('createTlsMaterial', () => {
  const ca = new X509Certificate(material.caCertPem);
  const server = new X509Certificate(material.serverCertPem);

  it('makes a self-signed CA and a server certificate it issued and signed', () => {
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(ca.checkIssued(ca)).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.verify(new X509Certificate(otherMaterial.caCertPem).publicKey)).toBe(false);
    expect(server.checkPrivateKey(createPrivateKey(material.serverKeyPem))).toBe(true);
    expect(server.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('names every host in the SAN and no other, with serverAuth', () => {
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');
    expect(server.checkHost('example.com')).toBeUndefined();
    expect(server.checkIP('127.0.0.2')).toBeUndefined();
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('is valid from one day ago for validDays, with distinct positive random serials', () => {
    for (const cert of [ca, server]) {
      expect(Math.abs(new Date(cert.validFrom).getTime() - (now.getTime() - DAY_MS))).toBeLessThan(2000);
      expect(Math.abs(new Date(cert.validTo).getTime() - (now.getTime() + 30 * DAY_MS))).toBeLessThan(2000);
      expect(parseInt(cert.serialNumber[0], 16)).toBeLessThan(8);
    }
    expect(ca.serialNumber).not.toBe(server.serialNumber);
    expect(server.serialNumber).not.toBe(new X509Certificate(otherMaterial.serverCertPem).serialNumber);
  });

  it('writes GeneralizedTime after 2049 (a 10-year cert made in 2045)', () => {
    const late = createTlsMaterial({ hosts: ['localhost'], validDays: 3650, now: new Date('2045-06-01T00:00:00Z') });
    const cert = new X509Certificate(late.serverCertPem);
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(2055);
    expect(new Date(cert.validFrom).toISOString()).toBe('2045-05-31T00:00:00.000Z');
  });

  it('openssl verify -x509_strict -purpose sslserver accepts the chain, and only with its own CA', () => {
    writeFileSync(join(dir, 'ca.pem'), material.caCertPem);
    writeFileSync(join(dir, 'other-ca.pem'), otherMaterial.caCertPem);
    writeFileSync(join(dir, 'server.pem'), material.serverCertPem);
    const verify = (caFile: string): string => {
      try {
        return execFileSync(
          'openssl',
          ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', caFile, 'server.pem'],
          {
            cwd: dir,
            timeout: EVENT_WAIT_MS,
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        ).toString();
      } catch (error) {
        return `failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`;
      }
    };
    expect(verify('ca.pem').trim()).toBe('server.pem: OK');
    expect(verify('other-ca.pem')).toMatch(/^failed: .*unable to get local issuer certificate/s);
  });

  it('rejects bad hosts and validity with config.invalid-value', () => {
    expect(codeOf(() => createTlsMaterial({ hosts: [], validDays: 1 }))).toBe('config.invalid-value');
    expect(codeOf(() => createTlsMaterial({ hosts: ['bad host'], validDays: 1 }))).toBe('config.invalid-value');
    expect(codeOf(() => createTlsMaterial({ hosts: ['-x.example'], validDays: 1 }))).toBe('config.invalid-value');
    expect(codeOf(() => createTlsMaterial({ hosts: ['localhost'], validDays: 0 }))).toBe('config.invalid-value');
    expect(codeOf(() => createTlsMaterial({ hosts: ['localhost'], validDays: 1.5 }))).toBe('config.invalid-value');
  });

  it('encodes IP addresses as network-order bytes', () => {
    expect(ipAddressBytes('127.0.0.1').toString('hex')).toBe('7f000001');
    expect(ipAddressBytes('::1').toString('hex')).toBe('0'.repeat(31) + '1');
    expect(ipAddressBytes('fe80::1:2').toString('hex')).toBe('fe80' + '0'.repeat(20) + '00010002');
    expect(ipAddressBytes('1:2:3:4:5:6:7:8').toString('hex')).toBe('00010002000300040005000600070008');
    expect(ipAddressBytes('::ffff:10.0.0.1').toString('hex')).toBe('00000000000000000000ffff0a000001');
    expect(codeOf(() => ipAddressBytes('localhost'))).toBe('config.invalid-value');
  });
});

describe('HTTPS with the material', () => {
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    server = createServer({ cert: material.serverCertPem, key: material.serverKeyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function get(options: { host: string; servername?: string; ca?: string }): Promise<string> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: options.host,
          port,
          path: '/',
          servername: options.servername,
          ca: options.ca,
          rejectUnauthorized: true,
          agent: false,
          timeout: EVENT_WAIT_MS,
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(`body:${body}`));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(`error:${error.code ?? error.message}`));
      req.end();
    });
  }

  it('a client pinning only the CA connects by name and by IP', async () => {
    expect(await get({ host: '127.0.0.1', servername: 'localhost', ca: material.caCertPem })).toBe('body:ok');
    expect(await get({ host: '127.0.0.1', ca: material.caCertPem })).toBe('body:ok');
  });

  it('a client without the CA, with another CA, or expecting another name is rejected', async () => {
    expect(await get({ host: '127.0.0.1', servername: 'localhost' })).toBe('error:UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(await get({ host: '127.0.0.1', servername: 'localhost', ca: otherMaterial.caCertPem })).toBe(
      'error:UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    );
    expect(await get({ host: '127.0.0.1', servername: 'portal.example', ca: material.caCertPem })).toBe(
      'error:ERR_TLS_CERT_ALTNAME_INVALID',
    );
  });
});

describe('loadOrCreateTlsMaterial', () => {
  it('creates ca.pem, server.pem and a 0600 server.key, then reuses them', async () => {
    const tlsDir = join(dir, 'state', 'tls');
    const first = await loadOrCreateTlsMaterial(tlsDir);
    expect(first.created).toBe(true);
    expect(first.caCertPath).toBe(join(tlsDir, 'ca.pem'));
    expect(statSync(join(tlsDir, 'server.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(tlsDir, 'ca.pem'), 'utf8')).toBe(first.caCertPem);
    expect(readFileSync(join(tlsDir, 'server.pem'), 'utf8')).toBe(first.serverCertPem);
    const again = await loadOrCreateTlsMaterial(tlsDir);
    expect(again).toEqual({ ...first, created: false });
  });

  it('replaces a corrupted, mismatched, loosely permitted or nearly expired set', async () => {
    const tlsDir = join(dir, 'replace');
    const first = await loadOrCreateTlsMaterial(tlsDir, { validDays: 30 });

    writeFileSync(join(tlsDir, 'server.pem'), 'garbage');
    const afterCorruption = await loadOrCreateTlsMaterial(tlsDir, { validDays: 30 });
    expect(afterCorruption.created).toBe(true);
    expect(afterCorruption.caCertPem).not.toBe(first.caCertPem);

    writeFileSync(join(tlsDir, 'ca.pem'), otherMaterial.caCertPem);
    expect((await loadOrCreateTlsMaterial(tlsDir, { validDays: 30 })).created).toBe(true);

    chmodSync(join(tlsDir, 'server.key'), 0o644);
    expect((await loadOrCreateTlsMaterial(tlsDir, { validDays: 30 })).created).toBe(true);
    expect(statSync(join(tlsDir, 'server.key')).mode & 0o777).toBe(0o600);

    expect((await loadOrCreateTlsMaterial(tlsDir, { validDays: 30 })).created).toBe(false);
    const inTwentyNineDays = new Date(Date.now() + 29.5 * DAY_MS);
    expect((await loadOrCreateTlsMaterial(tlsDir, { validDays: 30, now: inTwentyNineDays })).created).toBe(true);

    // A host the old certificate does not name forces new material too.
    expect((await loadOrCreateTlsMaterial(tlsDir, { hosts: ['localhost', 'gate.test'] })).created).toBe(true);
  });

  it('reports an unwritable place as config.storage', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    await expect(loadOrCreateTlsMaterial(join(blocker, 'tls'))).rejects.toMatchObject({ code: 'config.storage' });
  });
});
