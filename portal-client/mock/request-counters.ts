// The mock portal's request counters (the admin API's /admin/stats). Counted by path for the
// paths the mock serves; every other path shares one bucket, so requests to random paths (anyone
// can send them, unauthenticated) cannot grow the counters without bound.
import type { Socket } from 'node:net';
import { PATHS } from '../protocol/constants.js';
import { ADMIN_PATHS } from './admin-api.js';

/** The bucket of every path the mock does not serve. */
export const OTHER_PATHS = '(other)';

const COUNTED_PATHS = new Set<string>([...Object.values(PATHS), ...ADMIN_PATHS]);

export interface MockPortalStats {
  connections: number;
  /** Distinct sockets that served a request since the last reset, including ones opened before it. */
  servingSockets: number;
  requests: number;
  /** Requests per served path; OTHER_PATHS for all the rest. */
  byPath: Record<string, number>;
}

export class RequestCounters {
  #stats: MockPortalStats = { connections: 0, servingSockets: 0, requests: 0, byPath: {} };
  /** Sockets already counted in servingSockets; weak, so closed sockets are not kept alive. */
  #servedBy = new WeakSet<Socket>();

  connection(): void {
    this.#stats.connections++;
  }

  request(path: string, socket: Socket): void {
    this.#stats.requests++;
    if (!this.#servedBy.has(socket)) {
      this.#servedBy.add(socket);
      this.#stats.servingSockets++;
    }
    const bucket = COUNTED_PATHS.has(path) ? path : OTHER_PATHS;
    this.#stats.byPath[bucket] = (this.#stats.byPath[bucket] ?? 0) + 1;
  }

  snapshot(): MockPortalStats {
    return { ...this.#stats, byPath: { ...this.#stats.byPath } };
  }

  reset(): void {
    this.#stats = { connections: 0, servingSockets: 0, requests: 0, byPath: {} };
    this.#servedBy = new WeakSet<Socket>();
  }
}
