// TLS material for the mock portal, made with node:crypto only (the demo runs on machines
// without the openssl CLI): a throw-away self-signed CA and a server certificate it signs.
// Both are ECDSA P-256 with SHA-256. The CA's private key never leaves memory: once the server
// certificate is signed it is dropped, so nobody can mint further certificates under it.
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { writeFileAtomic } from '../../firmware/core/atomic-file.js';
import { PassgateError } from '../../firmware/core/errors.js';
import {
  derBitString,
  derBoolean,
  derExplicit,
  derImplicitPrimitive,
  derNamedBits,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derTime,
  derUnsignedInteger,
  derUtf8String,
  toPem,
} from '../crypto/der.js';

export interface TlsMaterialOptions {
  /** DNS names and IP addresses the server answers on; the first one is also its common name. */
  hosts: readonly string[];
  /** Validity of both certificates, counted from now (they start one day in the past for skew). */
  validDays: number;
  /** Injected for tests. */
  now?: Date;
}

export interface TlsMaterial {
  caCertPem: string;
  serverCertPem: string;
  /** PKCS#8 PEM. Secret: never log it. */
  serverKeyPem: string;
}

export const DEFAULT_TLS_HOSTS = ['localhost', '127.0.0.1', '::1'] as const;
export const DEFAULT_TLS_VALID_DAYS = 825;

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** KeyUsage bit numbers (RFC 5280 4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;
const DAY_MS = 86_400_000;
const ORGANIZATION = 'passgate mock portal';

function invalid(message: string, details: Record<string, string | number> = {}): PassgateError {
  return new PassgateError('config.invalid-value', message, details);
}

/** IPv4 or IPv6 text to its 4 or 16 network-order bytes (for an iPAddress GeneralName). */
export function ipAddressBytes(text: string): Buffer {
  const version = isIP(text);
  if (version === 4) return Buffer.from(text.split('.').map(Number));
  if (version !== 6) throw invalid('not an IP address', { host: text });
  let address = text.replace(/%.*$/, ''); // a zone ID is local to this machine
  // A dotted IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    const v4 = Buffer.from(dotted[2].split('.').map(Number));
    address = `${dotted[1]}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const halves = address.split('::');
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const zeros = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...new Array<number>(zeros).fill(0), ...tail];
  const bytes = Buffer.alloc(16);
  for (const [index, group] of groups.entries()) bytes.writeUInt16BE(group, index * 2);
  return bytes;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function subjectAltName(hosts: readonly string[]): Buffer {
  const names = hosts.map((host) => {
    if (isIP(host) !== 0) return derImplicitPrimitive(7, ipAddressBytes(host));
    if (!DNS_NAME.test(host)) throw invalid('TLS host is neither a DNS name nor an IP address', { host });
    return derImplicitPrimitive(2, Buffer.from(host, 'ascii'));
  });
  return derSequence(...names);
}

function name(commonName: string): Buffer {
  const attribute = (oid: string, value: string): Buffer => derSet(derSequence(derOid(oid), derUtf8String(value)));
  return derSequence(attribute(OID.organizationName, ORGANIZATION), attribute(OID.commonName, commonName));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? derSequence(derOid(oid), derBoolean(true), derOctetString(value))
    : derSequence(derOid(oid), derOctetString(value));
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(spkiDer: Buffer): Buffer {
  // For an EC P-256 SPKI the BIT STRING content is the last 65 bytes (04 || X || Y).
  return createHash('sha1')
    .update(spkiDer.subarray(spkiDer.length - 65))
    .digest();
}

/** A positive serial of 16 random bytes (RFC 5280 allows up to 20 octets). */
function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40; // positive, and no leading zero octet to strip
  return serial;
}

interface CertificateFields {
  subject: Buffer;
  issuer: Buffer;
  subjectSpki: Buffer;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
  signingKey: KeyObject;
}

function certificate(fields: CertificateFields): Buffer {
  const algorithm = derSequence(derOid(OID.ecdsaWithSha256));
  const tbs = derSequence(
    derExplicit(0, derUnsignedInteger(2n)), // v3
    derUnsignedInteger(randomSerial()),
    algorithm,
    fields.issuer,
    derSequence(derTime(fields.notBefore), derTime(fields.notAfter)),
    fields.subject,
    fields.subjectSpki,
    derExplicit(3, derSequence(...fields.extensions)),
  );
  const signature = sign('sha256', tbs, { key: fields.signingKey, dsaEncoding: 'der' });
  return derSequence(tbs, algorithm, derBitString(signature));
}

export function createTlsMaterial(options: TlsMaterialOptions): TlsMaterial {
  const { hosts, validDays } = options;
  if (hosts.length === 0) throw invalid('TLS material needs at least one host');
  if (!Number.isInteger(validDays) || validDays < 1 || validDays > 3650) {
    throw invalid('TLS validDays must be an integer from 1 to 3650', { validDays });
  }
  const now = options.now ?? new Date();
  // Whole seconds: certificates cannot carry milliseconds.
  const notBefore = new Date(Math.floor((now.getTime() - DAY_MS) / 1000) * 1000);
  const notAfter = new Date(Math.floor((now.getTime() + validDays * DAY_MS) / 1000) * 1000);

  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const server = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caSpki = ca.publicKey.export({ type: 'spki', format: 'der' });
  const serverSpki = server.publicKey.export({ type: 'spki', format: 'der' });
  const caKeyId = keyIdentifier(caSpki);
  const caName = name(`${ORGANIZATION} CA`);

  const caCert = certificate({
    subject: caName,
    issuer: caName,
    subjectSpki: caSpki,
    notBefore,
    notAfter,
    signingKey: ca.privateKey,
    extensions: [
      extension(OID.basicConstraints, true, derSequence(derBoolean(true), derUnsignedInteger(0n))), // cA, pathLen 0
      extension(OID.keyUsage, true, derNamedBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])),
      extension(OID.subjectKeyIdentifier, false, derOctetString(caKeyId)),
    ],
  });

  const serverCert = certificate({
    subject: name(hosts[0]),
    issuer: caName,
    subjectSpki: serverSpki,
    notBefore,
    notAfter,
    signingKey: ca.privateKey,
    extensions: [
      extension(OID.basicConstraints, true, derSequence()), // cA false (the default, so omitted)
      extension(OID.keyUsage, true, derNamedBits([KEY_USAGE.digitalSignature])),
      extension(OID.extKeyUsage, false, derSequence(derOid(OID.serverAuth))),
      extension(OID.subjectAltName, false, subjectAltName(hosts)),
      extension(OID.subjectKeyIdentifier, false, derOctetString(keyIdentifier(serverSpki))),
      extension(OID.authorityKeyIdentifier, false, derSequence(derImplicitPrimitive(0, caKeyId))),
    ],
  });

  return {
    caCertPem: toPem('CERTIFICATE', caCert),
    serverCertPem: toPem('CERTIFICATE', serverCert),
    serverKeyPem: server.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export const TLS_FILES = { caCert: 'ca.pem', serverCert: 'server.pem', serverKey: 'server.key' } as const;

export interface LoadedTlsMaterial extends TlsMaterial {
  /** Path of ca.pem: the file a device pins. */
  caCertPath: string;
  /** True when this call made new material (first run, or the old files were unusable). */
  created: boolean;
}

/** Existing files are reused only when they parse, belong together and stay valid a day longer. */
function isUsable(material: TlsMaterial, hosts: readonly string[], now: Date): boolean {
  try {
    const ca = new X509Certificate(material.caCertPem);
    const server = new X509Certificate(material.serverCertPem);
    const key = createPrivateKey(material.serverKeyPem);
    const soon = now.getTime() + DAY_MS;
    return (
      ca.ca &&
      server.checkIssued(ca) &&
      server.verify(ca.publicKey) &&
      server.checkPrivateKey(key) &&
      new Date(server.validTo).getTime() > soon &&
      new Date(ca.validTo).getTime() > soon &&
      hosts.every((host) => (isIP(host) !== 0 ? server.checkIP(host) : server.checkHost(host)) !== undefined)
    );
  } catch {
    return false;
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reuses dir/ca.pem, dir/server.pem and dir/server.key (0600) when they are a usable set, and
 * otherwise creates and writes new ones. The key is written first and ca.pem last, so a device
 * never pins a CA whose server certificate did not reach the disk.
 */
export async function loadOrCreateTlsMaterial(
  dir: string,
  options: Partial<TlsMaterialOptions> = {},
): Promise<LoadedTlsMaterial> {
  const hosts = options.hosts ?? DEFAULT_TLS_HOSTS;
  const validDays = options.validDays ?? DEFAULT_TLS_VALID_DAYS;
  const now = options.now ?? new Date();
  const paths = {
    caCert: join(dir, TLS_FILES.caCert),
    serverCert: join(dir, TLS_FILES.serverCert),
    serverKey: join(dir, TLS_FILES.serverKey),
  };
  try {
    const [caCertPem, serverCertPem, serverKeyPem] = await Promise.all([
      readIfPresent(paths.caCert),
      readIfPresent(paths.serverCert),
      readIfPresent(paths.serverKey),
    ]);
    if (caCertPem !== undefined && serverCertPem !== undefined && serverKeyPem !== undefined) {
      const existing = { caCertPem, serverCertPem, serverKeyPem };
      const keyIsPrivate = ((await stat(paths.serverKey)).mode & 0o077) === 0;
      if (keyIsPrivate && isUsable(existing, hosts, now))
        return { ...existing, caCertPath: paths.caCert, created: false };
    }
    const material = createTlsMaterial({ hosts, validDays, now });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(paths.serverKey, material.serverKeyPem, 0o600);
    await writeFileAtomic(paths.serverCert, material.serverCertPem, 0o644);
    await writeFileAtomic(paths.caCert, material.caCertPem, 0o644);
    return { ...material, caCertPath: paths.caCert, created: true };
  } catch (cause) {
    if (cause instanceof PassgateError) throw cause;
    const code = (cause as { code?: unknown }).code;
    throw new PassgateError(
      'config.storage',
      `TLS material in ${dir} could not be read or written`,
      {
        dir,
        errno: typeof code === 'string' ? code : undefined,
      },
      { cause },
    );
  }
}
