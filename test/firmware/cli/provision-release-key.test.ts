// `passgate provision --vendor-release-key vendor.pem`: the device learns the key that signs its
// updates at flashing time; optional for provisioning, refused when it is no SM2 public key.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../firmware/cli/exit-codes.js';
import { ConfigStore } from '../../../firmware/config/store.js';
import { readReleasePublicKey } from '../../../firmware/update/release-key.js';
import { type PortalFixture, startPortalFixture } from '../../../scripts/lab/portal-fixture.js';
import { allText, cli, runMain, tempRoot } from '../../support/cli.js';

let fixture: PortalFixture;
let tmp: ReturnType<typeof tempRoot>;
let dataDir: string;

beforeAll(async () => {
  fixture = await startPortalFixture();
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(() => {
  tmp = tempRoot('pg-prov-release-');
  dataDir = join(tmp.root, 'gate');
});
afterEach(() => tmp.remove());

function provisionArgs(extra: string[]): string[] {
  const { mock } = fixture;
  return [
    'provision',
    ...['--device-id', 'WX-REL-0001', '--portal-url', mock.url, '--ca-file', mock.caPath ?? ''],
    ...['--portal-public-key', mock.portalPublicKey.toString('hex')],
    ...['--app-id', mock.vendor.appId, '--app-secret-file', secretFile()],
    ...extra,
  ];
}

/** The vendor's app secret in a file of the test's own (the command line would show it). */
function secretFile(): string {
  const path = join(tmp.root, 'app-secret');
  writeFileSync(path, fixture.mock.vendor.appSecret, { mode: 0o600 });
  return path;
}

function storedKey(): string {
  const store = ConfigStore.open(dataDir);
  try {
    return store.get('vendor.releasePublicKey');
  } finally {
    store.close();
  }
}

describe('provision --vendor-release-key', () => {
  it('stores the vendor release public key from its PEM', async () => {
    const prefix = join(tmp.root, 'vendor');
    expect((await runMain(['release', 'keygen', '--out', prefix])).code).toBe(EXIT.ok);
    const r = await cli(dataDir, ...provisionArgs(['--vendor-release-key', `${prefix}.pem`]));
    expect(r.code, allText(r)).toBe(EXIT.ok);
    expect(storedKey()).toBe((await readReleasePublicKey(`${prefix}.pem`)).toString('hex'));
  });

  it('is optional: without it the device has no release key', async () => {
    expect((await cli(dataDir, ...provisionArgs([]))).code).toBe(EXIT.ok);
    expect(storedKey()).toBe('');
  });

  it('refuses a file that is no SM2 public key, and leaves the device unprovisioned', async () => {
    const pem = join(tmp.root, 'not-a-key.pem');
    writeFileSync(pem, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
    const r = await cli(dataDir, ...provisionArgs(['--vendor-release-key', pem]));
    expect(r.code).toBe(EXIT.invalidValue);
    expect(allText(r)).toContain('--vendor-release-key');
    const missing = await cli(dataDir, ...provisionArgs(['--vendor-release-key', join(tmp.root, 'absent.pem')]));
    expect(missing.code).toBe(EXIT.usage);
    expect(allText(missing)).toContain('--vendor-release-key');
    expect(storedKey()).toBe('');
  });
});
