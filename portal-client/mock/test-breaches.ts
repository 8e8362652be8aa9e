// Deliberate breaches of PROTOCOL.md, for tests only: they prove that the conformance kit notices
// a portal that breaks a rule (each makes exactly the kit's checks of that rule fail). `serve
// --deviate NAME` switches one on; nothing else does, and the default is none.

export const TEST_BREACHES = {
  /** Accept a nonce seen before (authorize and sealed): breaks §4 step 8 and §5 step 6. */
  'accept-replay': 'accepts a nonce it has seen (no REPLAY)',
  /** Answer a MAC-valid malformed envelope or body with a plaintext BAD_MAC, as document 1.0's mock did. */
  'plain-bad-mac': 'answers a MAC-valid malformed envelope or body with a plaintext BAD_MAC',
  /** Skip the ts window of sealed requests: breaks §5 step 5. */
  'no-sealed-clock-check': 'accepts a sealed request whatever its ts',
} as const;

export type TestBreach = keyof typeof TEST_BREACHES;

export function isTestBreach(name: string): name is TestBreach {
  return Object.hasOwn(TEST_BREACHES, name);
}
