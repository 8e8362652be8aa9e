// Every timeout, interval and retry count of the runtime, in one typed table.
// Components take the table (or a slice of it) as a constructor argument; nothing reads a
// literal duration of its own. Config may override entries (key `timeouts.<name>`).

export const DEFAULT_TIMEOUTS = {
  /** Whole deadline of one pass-code or ID-card verification, request to verified answer. */
  verifyDeadlineMs: 3000,
  /** Deadline of authorize, bind and rebind (rare, may include a TLS handshake). */
  adminDeadlineMs: 10_000,
  /** TCP + TLS connect to the portal. */
  portalConnectMs: 2000,
  /** Idle keep-alive connections are kept this long. */
  portalKeepAliveMs: 60_000,
  /** Refresh the token this long before it expires, in the background. */
  tokenRefreshLeadMs: 60_000,
  /** After a failed background refresh, try again after this long. */
  tokenRefreshRetryMs: 5000,
  /** Re-authorize at most this many times for one request rejected for its token. */
  reauthorizeAttempts: 1,
  /** Accepted difference between a message's timestamp and our corrected clock. */
  replayWindowMs: 120_000,
} as const satisfies Record<string, number>;

export type TimeoutName = keyof typeof DEFAULT_TIMEOUTS;
export type TimeoutTable = { readonly [K in TimeoutName]: number };

export function timeoutTable(overrides: Partial<TimeoutTable> = {}): TimeoutTable {
  return { ...DEFAULT_TIMEOUTS, ...overrides };
}
