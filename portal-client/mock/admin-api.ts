// The mock portal's admin API (/admin/*): registrations, vendor status, faults, token expiry and
// counters, for tests and the `passgate-mock` CLI. Loopback only, and only with the admin token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultSettings } from './faults.js';

/** The admin API's own paths; the `admin` handler serves the registry's (ADMIN_REGISTRY_PATHS). */
export const ADMIN_SERVER_PATHS = [
  '/admin/faults',
  '/admin/faults/clear',
  '/admin/expire-tokens',
  '/admin/stats',
  '/admin/deviations',
  '/admin/deviations/clear',
] as const;
/** Registrations and vendor status, served by start-mock-portal.ts's admin handler. */
export const ADMIN_REGISTRY_PATHS = ['/admin/devices', '/admin/vendors/approve', '/admin/vendors/suspend'] as const;
export const ADMIN_PATHS: readonly string[] = [...ADMIN_SERVER_PATHS, ...ADMIN_REGISTRY_PATHS];

/** What the admin API may do to the running mock portal. */
export interface AdminTarget {
  setFaults(patch: Partial<FaultSettings>): FaultSettings;
  clearFaults(): FaultSettings;
  expireTokens(): void;
  stats(): unknown;
  /** serve --strict's deviations so far; null when the mock is not strict. */
  deviations(): object | null;
  clearDeviations(): object | null;
}

export interface AdminAccess {
  /** Handles every other /admin/* path (registrations, vendors); none when absent. */
  admin?: (path: string, body: unknown) => Promise<unknown> | unknown;
  adminToken?: string;
}

export async function handleAdminRequest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  raw: Buffer,
  target: AdminTarget,
  access: AdminAccess,
): Promise<void> {
  const remote = req.socket.remoteAddress ?? '';
  const loopback = remote === '127.0.0.1' || remote === '::1' || remote === '::ffff:127.0.0.1';
  if (!access.admin || !loopback || !access.adminToken || req.headers['x-admin-token'] !== access.adminToken) {
    res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"forbidden"}');
    return;
  }
  try {
    const body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    let result: unknown;
    if (path === '/admin/faults') result = target.setFaults(body as Partial<FaultSettings>);
    else if (path === '/admin/faults/clear') result = target.clearFaults();
    else if (path === '/admin/expire-tokens') {
      target.expireTokens();
      result = { expired: true };
    } else if (path === '/admin/stats') result = target.stats();
    else if (path === '/admin/deviations' || path === '/admin/deviations/clear') {
      const snapshot = path === '/admin/deviations' ? target.deviations() : target.clearDeviations();
      result = { strict: snapshot !== null, ...(snapshot ?? {}) };
    } else result = await access.admin(path, body);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? {}));
  } catch (error) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
  }
}
