// The mock portal CLI's own waits. They belong to the test and demo tool, not to the device:
// the device's table (firmware/core/timeouts.ts) is what `passgate config set timeouts` changes.

export const MOCK_CLI_TIMEOUTS = {
  /** One request to a running mock's admin API, connect to answer. */
  adminRequestMs: 3000,
  /** `passgate-mock issue --png`: zint must have written the symbol's PNG within this. */
  symbolRenderMs: 5000,
  /** `passgate-mock conformance`: one request to the portal under test, connect to answer. */
  conformanceRequestMs: 10_000,
} as const satisfies Record<string, number>;

export type MockCliTimeouts = { readonly [K in keyof typeof MOCK_CLI_TIMEOUTS]: number };
