// PROTOCOL.md §4, the freshness of the authorize response: the device does not apply the ts window
// to it (its clock is what authorize corrects) and takes the portal's time from portalTime, never
// from the envelope's ts. The answer is fresh because it opens only under the keys of the secret
// drawn for this request. A verification response with the same ts is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { demoVenues } from '../../portal-client/mock/domain/demo-dataset.js';
import { PATHS, type PortalPath } from '../../portal-client/protocol/constants.js';
import { openResponse, sealResponse } from '../../portal-client/protocol/envelope.js';
import { deriveSessionKeys } from '../../portal-client/protocol/session-keys.js';
import { createPortalTransport, type PortalTransport } from '../../portal-client/transport.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../scripts/lab/portal-fixture.js';
import { rejection } from '../support/failures.js';
import { escrowingCrypto } from './faults/fault-tools.js';

const DAY_MS = 24 * 3_600_000;
let f: PortalFixture;

beforeAll(async () => {
  f = await startPortalFixture({ deviceId: 'WX-FRESH-0001' });
  await f.client().bind(demoVenues()[0].venueCode);
});
afterAll(async () => f.close());

/**
 * The mock's transport, except that the answers to `paths` are re-sealed (genuinely, with the
 * escrowed session keys) with their envelope ts a day ahead.
 */
function shiftingTransport(escrow: ReturnType<typeof escrowingCrypto>, paths: readonly string[]): PortalTransport {
  const inner = createPortalTransport({ url: f.mock.url, caPem: f.mock.caPem ?? undefined, timeouts: timeoutTable() });
  return {
    async post(path, headers, body, deadlineMs) {
      const answer = await inner.post(path, headers, body, deadlineMs);
      if (!paths.includes(path) || answer.status !== 200) return answer;
      const keys = deriveSessionKeys(crypto, escrow.sessionSecrets.at(-1)!);
      const requestNonce = (JSON.parse(body) as { nonce: string }).nonce;
      const binding = { path: path as PortalPath, requestNonce };
      const opened = openResponse(crypto, keys, binding, JSON.parse(answer.text));
      const resealed = sealResponse(crypto, keys, binding, opened.body, {
        ts: opened.ts + DAY_MS,
        nonce: opened.nonce,
        iv: crypto.randomBytes(16),
      });
      return { ...answer, text: JSON.stringify(resealed) };
    },
    close: () => inner.close(),
  };
}

describe('the authorize response and the ts window', () => {
  it('an authorize answer whose envelope ts is a day off is accepted; the clock comes from portalTime', async () => {
    const escrow = escrowingCrypto(crypto);
    const client = f.client({ transport: shiftingTransport(escrow, [PATHS.authorize]), crypto: escrow });
    const summary = await client.authorize();
    expect(Math.abs(summary.clockOffsetMs)).toBeLessThan(5_000); // not a day
    expect((await client.verifyPassCode(f.mock.passCodeFor('green'))).opinion).toBe('PASS');
  });

  it('a verification answer whose envelope ts is a day off is refused', async () => {
    const escrow = escrowingCrypto(crypto);
    const client = f.client({ transport: shiftingTransport(escrow, [PATHS.verifyPassCode]), crypto: escrow });
    await client.authorize();
    expect((await rejection(client.verifyPassCode(f.mock.passCodeFor('green')))).code).toBe('portal.auth-failed');
  });
});
