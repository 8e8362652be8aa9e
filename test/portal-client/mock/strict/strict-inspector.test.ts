// `serve --strict`: the mock checks every request a device sends against PROTOCOL.md. passgate's
// own client sends none that deviates over a whole bind, verify and rebind run; each request that
// deviates in one way is reported once, under that rule and its section, without any value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../../portal-client/mock/cli.js';
import { DOCUMENT_VECTORS } from '../../../../portal-client/mock/conformance/document-vectors.js';
import { createKitHttp } from '../../../../portal-client/mock/conformance/http-client.js';
import { demoVenues } from '../../../../portal-client/mock/domain/demo-dataset.js';
import {
  type DeviceDeviation,
  STRICT_RULES,
  type StrictRule,
} from '../../../../portal-client/mock/strict/device-deviations.js';
import { ALGORITHMS, PATHS } from '../../../../portal-client/protocol/constants.js';
import type { IdCardBody } from '../../../../portal-client/protocol/messages.js';
import { bindSigningText } from '../../../../portal-client/protocol/signing.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../../../scripts/lab/portal-fixture.js';
import { authorizeRequest, type HeldSession, holdSession, macedRequest } from '../session-tools.js';

const SYNTHETIC_CARD = DOCUMENT_VECTORS.inputs.idCardRequest.body as IdCardBody;
const found: DeviceDeviation[] = [];
let f: PortalFixture;
let held: HeldSession;
let green: string;
const [venue, otherVenue] = demoVenues().map((v) => v.venueCode);

beforeAll(async () => {
  f = await startPortalFixture({ deviceId: 'WX-STRICT-0001', strict: { onDeviation: (d) => found.push(d) } });
  green = f.mock.passCodeFor('green');
});
afterAll(async () => {
  await held?.close();
  await f.close();
});

describe('serve --strict and the passgate client', () => {
  it('finds no deviation in a whole run: authorize, bind, both verifications, rebind', async () => {
    const client = f.client();
    await client.authorize();
    await client.bind(venue);
    expect((await client.verifyPassCode(green)).opinion).toBe('PASS');
    await client.verifyIdCard(SYNTHETIC_CARD); // a non-ASCII name, a ciphertext with base64 padding
    await client.rebind(otherVenue);
    await client.verifyPassCode(f.mock.passCodeFor('red'));
    expect(found).toEqual([]);
    expect(f.mock.server.deviations()).toEqual({ total: 0, byRule: {}, recent: [] });
    held = await holdSession(f, green);
    expect(found).toEqual([]);
  });
});

type Case = [string, () => Promise<unknown>, StrictRule[]];

const path = PATHS.verifyPassCode;
const passCodeBytes = () => Buffer.from(JSON.stringify({ code: green }), 'utf8');
const postText = (p: string, text: string, headers: Record<string, string> = {}) =>
  held.transport.post(p, { authorization: `PG1 ${held.token}`, ...headers }, text, 5000);

const CASES: Case[] = [
  [
    'an envelope with white space',
    () => postText(path, JSON.stringify(held.seal(path, { code: green }).envelope, null, 1)),
    ['json.serialisation'],
  ],
  [
    'envelope fields in another order',
    () => held.post(path, Object.fromEntries(Object.entries(held.seal(path, { code: green }).envelope).reverse())),
    ['json.field-order'],
  ],
  [
    'an upper-case nonce (MAC-valid)',
    () => held.post(path, macedRequest(held, path, { nonce: 'AB'.repeat(16), body: passCodeBytes() })),
    ['envelope.shape'],
  ],
  [
    'ts as a string (MAC-valid)',
    () => held.post(path, macedRequest(held, path, { ts: String(Date.now()), body: passCodeBytes() })),
    ['envelope.shape'],
  ],
  [
    'an unpadded ct (MAC-valid)',
    async () => {
      const iv = crypto.randomBytes(16);
      const ct = crypto.sm4CbcEncrypt(held.keys.requestEncryption, iv, Buffer.from('{"code":"x"}')).toString('base64');
      return held.post(path, macedRequest(held, path, { iv: iv.toString('hex'), ct: ct.replace(/=+$/, '') }));
    },
    ['envelope.shape', 'envelope.base64'],
  ],
  [
    'a ts 10 minutes old',
    () => held.post(path, held.seal(path, { code: green }, Date.now() - 600_000).envelope),
    ['envelope.freshness'],
  ],
  [
    'a nonce sent before',
    async () => {
      const { envelope } = held.seal(path, { code: green });
      await held.post(path, envelope);
      found.length = 0; // the first sending is fine
      return held.post(path, envelope);
    },
    ['envelope.nonce-reused'],
  ],
  [
    'a MAC that does not verify',
    () => {
      const { envelope } = held.seal(path, { code: green });
      return held.post(path, { ...envelope, mac: envelope.mac.replace(/^./, (c) => (c === '0' ? '1' : '0')) });
    },
    ['envelope.mac'],
  ],
  [
    'a ciphertext without valid padding (MAC-valid)',
    () => {
      // The first block of 16 zero bytes, alone: it decrypts to a last byte 0, no PKCS#7 padding.
      const iv = crypto.randomBytes(16);
      const block = crypto.sm4CbcEncrypt(held.keys.requestEncryption, iv, Buffer.alloc(16)).subarray(0, 16);
      return held.post(path, macedRequest(held, path, { iv: iv.toString('hex'), ct: block.toString('base64') }));
    },
    ['body.decrypt'],
  ],
  [
    'a body with an extra field',
    () => held.post(path, held.seal(path, { code: green, extra: 1 }).envelope),
    ['body.shape'],
  ],
  [
    'a body with white space',
    () => held.post(path, macedRequest(held, path, { body: Buffer.from(`{ "code": ${JSON.stringify(green)} }`) })),
    ['json.serialisation'],
  ],
  [
    'a body with a \\u-escaped name',
    () => {
      const text = JSON.stringify(SYNTHETIC_CARD).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
      return held.post(PATHS.verifyIdCard, macedRequest(held, PATHS.verifyIdCard, { body: Buffer.from(text) }));
    },
    ['json.serialisation'],
  ],
  [
    'body fields in another order',
    () => {
      const { name, idNumber, cardType } = SYNTHETIC_CARD;
      return held.post(PATHS.verifyIdCard, held.seal(PATHS.verifyIdCard, { name, idNumber, cardType }).envelope);
    },
    ['json.field-order'],
  ],
  [
    'a rebind signed by another key',
    () => {
      const stamp = { ts: Date.now(), nonce: crypto.randomBytes(16).toString('hex') };
      const text = bindSigningText('rebind', { deviceId: f.deviceId, venueCode: venue, ...stamp });
      const sig = crypto.sm2Sign(crypto.sm2GenerateKeyPair().privateKey, Buffer.from(text)).toString('hex');
      const body = Buffer.from(JSON.stringify({ venueCode: venue, sig }));
      return held.post(PATHS.rebind, macedRequest(held, PATHS.rebind, { ...stamp, body }));
    },
    ['bind.signature'],
  ],
  [
    'no Authorization header',
    () => held.transport.post(path, {}, JSON.stringify(held.seal(path, { code: green }).envelope), 5000),
    ['sealed.authorization'],
  ],
  [
    'a content type other than JSON',
    () => postText(path, JSON.stringify(held.seal(path, { code: green }).envelope), { 'content-type': 'text/plain' }),
    ['http.content-type'],
  ],
  [
    'an authorize naming another algorithm',
    () =>
      held.transport.post(
        PATHS.authorize,
        {},
        JSON.stringify(authorizeRequest(f, { alg: { ...ALGORITHMS, mac: '1.2.3' } })),
        5000,
      ),
    ['authorize.algorithms'],
  ],
  ['an authorize that is no JSON', () => held.transport.post(PATHS.authorize, {}, '{"v":1,', 5000), ['json.syntax']],
  [
    'a GET',
    async () => {
      const http = createKitHttp({ portalUrl: new URL(f.mock.url), caPem: f.mock.caPem, timeoutMs: 10_000 });
      await http.send('GET', PATHS.authorize, null).finally(() => http.close());
    },
    ['http.method'],
  ],
  ['a body over 64 KiB', () => held.transport.post(PATHS.authorize, {}, 'x'.repeat(70_000), 5000), ['http.size']],
];

describe('serve --strict and a device that deviates', () => {
  it.each(CASES.map(([what, send, rules]) => [what, rules, send] as const))(
    '%s → reported under %j',
    async (_, rules, send) => {
      found.length = 0;
      await send();
      expect(found.map((d) => d.rule)).toEqual(rules);
      for (const d of found) expect(d.section).toBe(STRICT_RULES[d.rule]);
      // Field names only: neither the pass code nor the card's name or number appears.
      const text = JSON.stringify(found);
      for (const secret of [green, SYNTHETIC_CARD.name, SYNTHETIC_CARD.idNumber]) expect(text).not.toContain(secret);
    },
  );

  it('counts every deviation for the admin API and `passgate-mock deviations`', async () => {
    const snapshot = f.mock.server.deviations()!;
    expect(snapshot.total).toBeGreaterThanOrEqual(CASES.length);
    expect(snapshot.byRule['envelope.mac']).toBe(1);
    const stdout: string[] = [];
    const io = {
      stdout: (l: string) => stdout.push(l),
      stderr: () => undefined,
      untilStopped: () => new Promise<string>(() => {}),
    };
    const dir = `${f.dir}/mock`;
    expect(await main(['deviations', '--dir', dir, '--url', f.mock.url, '--json'], { io })).toBe(0);
    expect(JSON.parse(stdout[0])).toMatchObject({ strict: true, total: snapshot.total });
    stdout.length = 0;
    expect(await main(['deviations', '--dir', dir, '--url', f.mock.url, '--clear'], { io })).toBe(0);
    expect(stdout[0]).toBe(`${snapshot.total} deviation(s)`);
    expect(stdout).toContain(`     1  §5          envelope.mac`);
    expect(f.mock.server.deviations()?.total).toBe(0);
  });
});
