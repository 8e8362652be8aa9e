// A running mock portal in a temporary directory with one registered device, and a client for
// that device: the starting point of every test that talks to the portal over real loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TimeoutTable, timeoutTable } from '../../firmware/core/timeouts.js';
import { PortalClient, type PortalClientOptions } from '../../portal-client/client.js';
import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import type { Sm2KeyPair } from '../../portal-client/crypto/suite.js';
import {
  type RunningMockPortal,
  type StartMockPortalOptions,
  startMockPortal,
} from '../../portal-client/mock/start-mock-portal.js';
import { createPortalTransport } from '../../portal-client/transport.js';

export interface PortalFixture {
  mock: RunningMockPortal;
  deviceId: string;
  deviceKey: Sm2KeyPair;
  dir: string;
  client(
    overrides?: { timeouts?: Partial<TimeoutTable> } & Partial<Omit<PortalClientOptions, 'timeouts'>>,
  ): PortalClient;
  close(): Promise<void>;
}

export const crypto = createGmCryptoSuite();

export async function startPortalFixture(
  options: {
    plainHttp?: boolean;
    tokenTtlMs?: number;
    deviceId?: string;
    /** serve --strict's checking of device requests (the mock's strict option). */
    strict?: StartMockPortalOptions['strict'];
  } = {},
): Promise<PortalFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-portal-'));
  const mock = await startMockPortal({
    dir: join(dir, 'mock'),
    crypto,
    plainHttp: options.plainHttp,
    tokenTtlMs: options.tokenTtlMs,
    seed: 'fixture-seed',
    strict: options.strict,
  });
  const deviceId = options.deviceId ?? 'WX-TEST-0001';
  const deviceKey = crypto.sm2GenerateKeyPair();
  mock.registerDevice(deviceId, deviceKey.publicKey);
  const clients: PortalClient[] = [];
  return {
    mock,
    deviceId,
    deviceKey,
    dir,
    client(overrides = {}) {
      const timeouts = timeoutTable(overrides.timeouts);
      const client = new PortalClient({
        transport:
          overrides.transport ??
          createPortalTransport({
            url: mock.url,
            caPem: mock.caPem ?? undefined,
            allowInsecureHttp: options.plainHttp,
            timeouts,
          }),
        crypto: overrides.crypto ?? crypto,
        identity: overrides.identity ?? {
          deviceId,
          privateKey: deviceKey.privateKey,
          appId: mock.vendor.appId,
          appSecret: mock.vendor.appSecret,
        },
        portalPublicKey: overrides.portalPublicKey ?? mock.portalPublicKey,
        timeouts,
        now: overrides.now,
        onEvent: overrides.onEvent,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await mock.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
