// Replays in both directions over real loopback HTTPS. A replayed request is refused by the mock
// (checked by opening its sealed answer with the session keys, which the test holds through an
// escrowing crypto suite injected into the client); a replayed response never becomes a verdict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timeoutTable } from '../../../firmware/core/timeouts.js';
import { PortalClient } from '../../../portal-client/client.js';
import { demoVenues } from '../../../portal-client/mock/domain/demo-dataset.js';
import { PATHS } from '../../../portal-client/protocol/constants.js';
import { openResponse } from '../../../portal-client/protocol/envelope.js';
import { readPlainError, readResponseBody, readVerdict } from '../../../portal-client/protocol/messages.js';
import { deriveSessionKeys } from '../../../portal-client/protocol/session-keys.js';
import { createPortalTransport } from '../../../portal-client/transport.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { rejection } from '../../support/failures.js';
import { EVENT_WAIT_MS } from '../../support/polling.js';
import {
  escrowingCrypto,
  type FakePortal,
  type RecordedExchange,
  recordingTransport,
  startFakePortal,
  timed,
} from './fault-tools.js';

/** How fast a replayed answer is refused, on the stopwatch without CPU wait (fault-tools.ts `timed`). */
const DEADLINE_MS = 500;
/** Timer granularity and the client's own work past a deadline; load is left out (fault-tools.ts `timed`). */
const SLACK_MS = 250;
/**
 * The deadlines of the client and of the direct posts: no test here is about one firing, so they
 * are liveness bounds that no load on the machine can reach.
 */
const LIVENESS_DEADLINE_MS = EVENT_WAIT_MS;

let f: PortalFixture;
let green: string;

beforeAll(async () => {
  f = await startPortalFixture({ deviceId: 'WX-REPLAY-0001' });
  await f.client().bind(demoVenues()[1].venueCode);
  green = f.mock.passCodeFor('green');
});
afterAll(async () => f.close());

function clientWith(transportUrl: string, escrow = escrowingCrypto(crypto)) {
  const timeouts = timeoutTable({ verifyDeadlineMs: LIVENESS_DEADLINE_MS });
  const transport = recordingTransport(
    createPortalTransport({ url: transportUrl, caPem: f.mock.caPem ?? undefined, timeouts }),
  );
  const client = new PortalClient({
    transport,
    crypto: escrow,
    identity: {
      deviceId: f.deviceId,
      privateKey: f.deviceKey.privateKey,
      appId: f.mock.vendor.appId,
      appSecret: f.mock.vendor.appSecret,
    },
    portalPublicKey: f.mock.portalPublicKey,
    timeouts,
  });
  return { client, transport, escrow };
}

function requestNonce(exchange: RecordedExchange): string {
  return (JSON.parse(exchange.body) as { nonce: string }).nonce;
}

describe('a replayed request', () => {
  it('a captured verification re-posted byte for byte is answered with a sealed REPLAY, not a verdict', async () => {
    const { client, transport, escrow } = clientWith(f.mock.url);
    try {
      await client.authorize(); // off the scan path, under the admin deadline
      expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
      const original = transport.exchanges.find((e) => e.path === PATHS.verifyPassCode)!;
      expect(escrow.sessionSecrets).toHaveLength(1);
      const keys = deriveSessionKeys(crypto, escrow.sessionSecrets[0]);
      const nonce = requestNonce(original);
      const open = (text: string) =>
        readResponseBody(
          openResponse(crypto, keys, { path: PATHS.verifyPassCode, requestNonce: nonce }, JSON.parse(text)).body,
          readVerdict,
        );

      // The method of checking works: the original answer opens to the PASS verdict.
      const first = open(original.answer!.text);
      expect(first.ok && first.result.opinion).toBe('PASS');

      const replayed = await transport.post(original.path, original.headers, original.body, LIVENESS_DEADLINE_MS);
      expect(replayed.status).toBe(200); // the portal can attribute it to a session, so it seals
      const answer = open(replayed.text);
      expect(answer).toEqual({ ok: false, error: { code: 'REPLAY', portalTime: expect.any(Number) } });

      // The same sealed request moved to another path fails its MAC (the path is MAC'd).
      const moved = await transport.post(PATHS.verifyIdCard, original.headers, original.body, LIVENESS_DEADLINE_MS);
      expect(moved.status).toBe(401);
      expect(readPlainError(JSON.parse(moved.text)).error.code).toBe('BAD_MAC');

      // The client itself is unaffected.
      expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
    } finally {
      await client.close();
    }
  });

  it('a captured authorize re-posted is refused with REPLAY', async () => {
    const { client, transport } = clientWith(f.mock.url);
    try {
      await client.authorize();
      const original = transport.exchanges.find((e) => e.path === PATHS.authorize)!;
      expect(original.answer!.status).toBe(200);
      const replayed = await transport.post(original.path, original.headers, original.body, LIVENESS_DEADLINE_MS);
      expect(replayed.status).toBe(401);
      expect(readPlainError(JSON.parse(replayed.text)).error.code).toBe('REPLAY');
    } finally {
      await client.close();
    }
  });
});

describe('a replayed response (fake portal in front of the mock)', () => {
  let fake: FakePortal;
  beforeAll(async () => {
    fake = await startFakePortal(f);
  });
  afterAll(async () => fake.close());

  it('an earlier PASS answer replayed for a later request → portal.auth-failed within the deadline, never a verdict', async () => {
    const { client } = clientWith(fake.url);
    try {
      await client.authorize();
      expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
      const earlier = fake.forwarded.filter((x) => x.request.path === PATHS.verifyPassCode).at(-1)!;
      const earlierAuthorize = fake.forwarded.filter((x) => x.request.path === PATHS.authorize).at(-1)!;

      // Same path, earlier request's answer: the MAC binds it to the other nonce.
      fake.decide = (r) => (r.path === PATHS.verifyPassCode ? { status: 200, body: earlier.answer.text } : 'forward');
      const sameKind = await timed(() => client.verifyPassCode(green));
      expect(sameKind.result.status).toBe('rejected');
      expect((await rejection(Promise.reject((sameKind.result as PromiseRejectedResult).reason))).code).toBe(
        'portal.auth-failed',
      );
      expect(sameKind.activeMs).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);

      // The authorize answer (same session keys, other path and nonce) replayed for a verification.
      fake.decide = (r) =>
        r.path === PATHS.verifyPassCode ? { status: 200, body: earlierAuthorize.answer.text } : 'forward';
      expect((await rejection(client.verifyPassCode(green))).code).toBe('portal.auth-failed');

      // Forwarding again: the client recovers at once.
      fake.decide = () => 'forward';
      expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
    } finally {
      fake.decide = () => 'forward';
      await client.close();
    }
  });

  it("another session's PASS answer replayed to this one → portal.auth-failed (other session keys)", async () => {
    const a = clientWith(fake.url);
    const b = clientWith(fake.url);
    try {
      await a.client.authorize();
      expect((await a.client.verifyPassCode(green)).opinion).toBe('PASS');
      const theirs = fake.forwarded.filter((x) => x.request.path === PATHS.verifyPassCode).at(-1)!;
      await b.client.authorize();
      fake.decide = (r) => (r.path === PATHS.verifyPassCode ? { status: 200, body: theirs.answer.text } : 'forward');
      expect((await rejection(b.client.verifyPassCode(green))).code).toBe('portal.auth-failed');
    } finally {
      fake.decide = () => 'forward';
      await a.client.close();
      await b.client.close();
    }
  });
});
