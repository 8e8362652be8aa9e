// A minimal DER encoder: just the ASN.1 types needed to write keys and X.509 certificates.
// Encoding only; nothing here parses untrusted input.

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with the given identifier octet. */
export function derTlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function derSequence(...items: Uint8Array[]): Buffer {
  return derTlv(0x30, Buffer.concat(items));
}

export function derSet(...items: Uint8Array[]): Buffer {
  return derTlv(0x31, Buffer.concat(items));
}

export function derBoolean(value: boolean): Buffer {
  return derTlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

/** A non-negative INTEGER from a bigint or from unsigned big-endian bytes (minimal encoding). */
export function derUnsignedInteger(value: bigint | Uint8Array): Buffer {
  let bytes: Buffer;
  if (typeof value === 'bigint') {
    if (value < 0n) throw new RangeError('derUnsignedInteger takes a non-negative value');
    const digits = value.toString(16);
    bytes = Buffer.from(digits.length % 2 === 0 ? digits : '0' + digits, 'hex');
  } else {
    bytes = Buffer.from(value);
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  // A leading 1 bit would read as negative: prefix a zero byte.
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return derTlv(0x02, bytes);
}

export function derNull(): Buffer {
  return Buffer.from([0x05, 0x00]);
}

export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => BigInt(arc));
  if (arcs.length < 2) throw new RangeError(`OID needs at least two arcs: ${dotted}`);
  const values = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
  const bytes: number[] = [];
  for (const value of values) {
    const group: number[] = [Number(value & 0x7fn)];
    for (let rest = value >> 7n; rest > 0n; rest >>= 7n) group.unshift(Number(rest & 0x7fn) | 0x80);
    bytes.push(...group);
  }
  return derTlv(0x06, Buffer.from(bytes));
}

export function derOctetString(content: Uint8Array): Buffer {
  return derTlv(0x04, content);
}

/** BIT STRING of whole bytes (no unused bits). */
export function derBitString(content: Uint8Array): Buffer {
  return derTlv(0x03, Buffer.concat([Buffer.from([0]), content]));
}

/**
 * BIT STRING for named bits (KeyUsage): bit 0 is the most significant bit of the first byte;
 * trailing zero bits are dropped as DER requires.
 */
export function derNamedBits(bits: readonly number[]): Buffer {
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] |= 0x80 >> (bit % 8);
  const unused = 7 - (highest % 8);
  return derTlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]));
}

export function derUtf8String(text: string): Buffer {
  return derTlv(0x0c, Buffer.from(text, 'utf8'));
}

/** UTCTime for years 1950-2049, GeneralizedTime after, as RFC 5280 4.1.2.5 requires. */
export function derTime(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return derTlv(0x17, Buffer.from(digits.slice(2) + 'Z', 'ascii'));
  return derTlv(0x18, Buffer.from(digits + 'Z', 'ascii'));
}

/** [n] EXPLICIT: a constructed context-specific wrapper around one encoded value. */
export function derExplicit(tagNumber: number, inner: Uint8Array): Buffer {
  return derTlv(0xa0 | tagNumber, inner);
}

/** [n] IMPLICIT primitive: context-specific tag replacing the value's own (e.g. GeneralName). */
export function derImplicitPrimitive(tagNumber: number, content: Uint8Array): Buffer {
  return derTlv(0x80 | tagNumber, content);
}

export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
