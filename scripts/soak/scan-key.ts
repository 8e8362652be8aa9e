// The key under which the soak and its portal both file a scan: a keyed hash of the code or the
// card, so decisions can be matched to scans without any code, name or ID number leaving memory.
// The secret is random per run and never written down. Pure.
import { createHmac } from 'node:crypto';

export type ScanPayload = { kind: 'code'; text: string } | { kind: 'card'; name: string; idNumber: string };

export function scanKey(secret: Buffer, payload: ScanPayload): string {
  const material =
    payload.kind === 'code' ? `code\n${payload.text}` : `card\n${payload.name}\n${payload.idNumber.toUpperCase()}`;
  return createHmac('sha256', secret).update(material, 'utf8').digest('base64url').slice(0, 22);
}
