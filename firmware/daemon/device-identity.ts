// The device's identity as provisioned: identity code, SM2 key (a 0600 file in the data dir),
// vendor app credentials, and the portal it talks to. Builds the portal client from them.
import { join } from 'node:path';
import { type DeviceIdentity, PortalClient, type PortalClientEvent } from '../../portal-client/client.js';
import { readPrivateKeyFile } from '../../portal-client/crypto/key-file.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import { createPortalTransport } from '../../portal-client/transport.js';
import type { ConfigStore } from '../config/store.js';
import { PassgateError } from '../core/errors.js';
import { type TimeoutTable, timeoutTable } from '../core/timeouts.js';

export const DEVICE_KEY_FILE = 'device.key';

export function deviceKeyPath(dataDir: string): string {
  return join(dataDir, DEVICE_KEY_FILE);
}

export function isProvisioned(store: ConfigStore): boolean {
  return (
    store.get('identity.deviceId') !== '' && store.get('portal.url') !== '' && store.get('portal.publicKey') !== ''
  );
}

export function timeoutsFromConfig(store: ConfigStore): TimeoutTable {
  return timeoutTable(store.get('timeouts'));
}

export async function loadDeviceIdentity(store: ConfigStore, dataDir: string): Promise<DeviceIdentity> {
  if (!isProvisioned(store)) throw new PassgateError('config.not-provisioned', 'device not provisioned');
  return {
    deviceId: store.get('identity.deviceId'),
    privateKey: await readPrivateKeyFile(deviceKeyPath(dataDir)),
    appId: store.get('vendor.appId'),
    appSecret: store.get('vendor.appSecret'),
  };
}

export async function portalClientFromConfig(
  store: ConfigStore,
  dataDir: string,
  deps: { crypto: CryptoSuite; onEvent?: (event: PortalClientEvent) => void; timeouts?: TimeoutTable },
): Promise<PortalClient> {
  const identity = await loadDeviceIdentity(store, dataDir);
  const timeouts = deps.timeouts ?? timeoutsFromConfig(store);
  const caPem = store.get('portal.caPem');
  const transport = createPortalTransport({
    url: store.get('portal.url'),
    caPem: caPem === '' ? undefined : caPem,
    allowInsecureHttp: store.get('portal.allowInsecureHttp'),
    timeouts,
  });
  return new PortalClient({
    transport,
    crypto: deps.crypto,
    identity,
    portalPublicKey: Buffer.from(store.get('portal.publicKey'), 'hex'),
    timeouts,
    onEvent: deps.onEvent,
  });
}
