// Portal costs of one verification as the gate pays them:
// - the device-side crypto of one scan (seal the request, open a realistic sealed response) with
//   the real protocol functions and real session keys, and how much a naive design (SM2 signature
//   plus SM2 encryption of every request body, with the device's own SM2) costs per request instead;
// - the round trip PortalClient.verifyPassCode ↔ the bundled mock over loopback HTTPS on a warm
//   connection, and how many server-side sockets served 1000 verifications (keep-alive check).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Verdict } from '../../firmware/core/verdict.js';
import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import { demoVenues } from '../../portal-client/mock/domain/demo-dataset.js';
import { IV_BYTES, NONCE_BYTES, PATHS, SESSION_SECRET_BYTES } from '../../portal-client/protocol/constants.js';
import { openResponse, sealRequest, sealResponse } from '../../portal-client/protocol/envelope.js';
import { readResponseBody, readVerdict } from '../../portal-client/protocol/messages.js';
import { deriveSessionKeys } from '../../portal-client/protocol/session-keys.js';
import { parseJson } from '../../portal-client/protocol/wire-reader.js';
import { startPortalFixture } from '../lab/portal-fixture.js';
import { type BenchRow, type BenchSection, mean, percentile, round, timeEach } from './section.js';

const SCAN_WARMUP = 500;
const SCAN_ROUNDS = 5000;
const NAIVE_WARMUP = 3;
const NAIVE_ROUNDS = 30;
const RTT_WARMUP = 100;
const RTT_ROUNDS = 1000;
/** Stands in for a session token in the request MAC; the portal's are 24 random bytes, base64url. */
const TOKEN_BYTES = 24;

/**
 * Time this thread has spent runnable but waiting for a CPU, in ms (Linux schedstat, exact to the
 * nanosecond); null where the kernel does not offer it. On a shared machine the tail of the round
 * trip is mostly this wait, so the bench reports the round trip with and without it.
 */
function runQueueWaitMs(): number | null {
  try {
    const fields = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/);
    const waitNs = Number(fields[1]);
    return Number.isFinite(waitNs) ? waitNs / 1e6 : null;
  } catch {
    return null;
  }
}

interface NetworkFigures {
  rtt: number[];
  /** Each round trip minus the time this thread waited for a CPU during it; null off Linux. */
  rttWithoutCpuWait: number[] | null;
  servingSockets: number;
  opened: number;
  /** One verdict exactly as the mock answered it: the body the crypto figures open. */
  verdict: Verdict;
  /** The mock's synthetic green pass code, so the crypto figures seal a real-sized body. */
  passCode: string;
}

/** verifyPassCode over loopback HTTPS on a warm, bound client; every answer must be PASS. */
async function measureNetwork(): Promise<NetworkFigures> {
  const fixture = await startPortalFixture();
  try {
    const client = fixture.client();
    await client.authorize();
    await client.bind(demoVenues()[demoVenues().length - 1].venueCode); // NAT 72 h + 3 doses: the fullest verdict
    const code = fixture.mock.passCodeFor('green');
    let verdict: Verdict | undefined;
    const verify = async () => {
      verdict = await client.verifyPassCode(code);
      if (verdict.opinion !== 'PASS') throw new Error(`green pass code answered ${verdict.opinion}`);
    };
    for (let i = 0; i < RTT_WARMUP; i += 1) await verify();
    fixture.mock.server.resetStats();
    const rtt: number[] = [];
    let rttWithoutCpuWait: number[] | null = [];
    for (let i = 0; i < RTT_ROUNDS; i += 1) {
      const waitBefore = runQueueWaitMs();
      const start = performance.now();
      await verify();
      const elapsed = performance.now() - start;
      const waitAfter = runQueueWaitMs();
      rtt.push(elapsed);
      if (waitBefore === null || waitAfter === null) rttWithoutCpuWait = null;
      else rttWithoutCpuWait?.push(Math.max(0, elapsed - (waitAfter - waitBefore)));
    }
    const stats = fixture.mock.server.stats();
    const served = stats.byPath[PATHS.verifyPassCode] ?? 0;
    if (stats.requests !== RTT_ROUNDS || served !== RTT_ROUNDS) {
      throw new Error(`mock counted ${stats.requests} requests (${served} verifications), expected ${RTT_ROUNDS}`);
    }
    return {
      rtt,
      rttWithoutCpuWait,
      servingSockets: stats.servingSockets,
      opened: stats.connections,
      verdict: verdict!,
      passCode: code,
    };
  } finally {
    await fixture.close();
  }
}

/**
 * Seal one verification request and open its sealed response, as PortalClient.sendSealed does
 * (JSON both ways, SM4-CBC both ways, HMAC-SM3 both ways, the verdict reader). The portal's side
 * (sealing each response for its request's nonce) is prepared before timing starts.
 */
function measureScanCrypto(crypto: CryptoSuite, verdict: Verdict, passCode: string): number[] {
  const keys = deriveSessionKeys(crypto, crypto.randomBytes(SESSION_SECRET_BYTES));
  const token = crypto.randomBytes(TOKEN_BYTES).toString('base64url');
  const path = PATHS.verifyPassCode;
  const rounds = SCAN_WARMUP + SCAN_ROUNDS;
  const prepared = Array.from({ length: rounds }, () => {
    const nonce = crypto.randomBytes(NONCE_BYTES).toString('hex');
    const response = sealResponse(
      crypto,
      keys,
      { path, requestNonce: nonce },
      { ok: true, result: verdict },
      {
        ts: Date.now(),
        nonce: crypto.randomBytes(NONCE_BYTES).toString('hex'),
        iv: crypto.randomBytes(IV_BYTES),
      },
    );
    return { nonce, responseText: JSON.stringify(response) };
  });
  let wireBytes = 0; // consumed below, so no step can be optimised away
  const step = (i: number) => {
    const { nonce, responseText } = prepared[i];
    const request = sealRequest(
      crypto,
      keys,
      { path, token },
      { code: passCode },
      { ts: Date.now(), nonce, iv: crypto.randomBytes(IV_BYTES) },
    );
    wireBytes += JSON.stringify(request).length;
    const opened = openResponse(crypto, keys, { path, requestNonce: nonce }, parseJson(responseText));
    const body = readResponseBody(opened.body, readVerdict);
    if (!body.ok || body.result.opinion !== verdict.opinion)
      throw new Error('opened response differs from the sealed one');
  };
  timeEach(SCAN_WARMUP, step);
  const samples = timeEach(SCAN_ROUNDS, (i) => step(SCAN_WARMUP + i));
  if (wireBytes === 0) throw new Error('no request was sealed');
  return samples;
}

/**
 * The product owner's baseline: every request body SM2-signed (DER, default user ID) and
 * SM2-encrypted (C1C3C2) with the suite's SM2, the cheapest this device has. Only the request side
 * is counted, so the ratio is a lower bound (such a design would also verify and decrypt each
 * response).
 */
function measureNaiveRequest(crypto: CryptoSuite, passCode: string): number[] {
  const device = crypto.sm2GenerateKeyPair();
  const portal = crypto.sm2GenerateKeyPair();
  const step = () => {
    const body = Buffer.from(
      JSON.stringify({
        code: passCode,
        ts: Date.now(),
        nonce: crypto.randomBytes(NONCE_BYTES).toString('hex'),
      }),
    );
    const signature = crypto.sm2Sign(device.privateKey, body);
    const sealed = crypto.sm2Encrypt(portal.publicKey, body);
    if (signature.length === 0 || sealed.length === 0) throw new Error('SM2 returned nothing');
  };
  timeEach(NAIVE_WARMUP, step);
  return timeEach(NAIVE_ROUNDS, step);
}

export const portalSection: BenchSection = {
  name: 'portal',
  async run(): Promise<BenchRow[]> {
    const network = await measureNetwork();
    const crypto = createGmCryptoSuite();
    const scan = measureScanCrypto(crypto, network.verdict, network.passCode);
    const naive = measureNaiveRequest(crypto, network.passCode);
    const scanMean = mean(scan);
    const naiveMean = mean(naive);
    const rows: BenchRow[] = [
      { key: 'crypto_per_scan_ms', value: round(scanMean, 4), unit: 'ms', target: '<= 0.2 (mean)' },
      { key: 'crypto_per_scan_ms_p50', value: round(percentile(scan, 50), 4), unit: 'ms' },
      { key: 'crypto_per_scan_ms_p99', value: round(percentile(scan, 99), 4), unit: 'ms' },
      { key: 'crypto_baseline_naive_ms', value: round(naiveMean, 2), unit: 'ms' },
      { key: 'crypto_baseline_ratio', value: round(naiveMean / scanMean, 1), unit: 'ratio', target: '>= 50' },
      { key: 'verify_rtt_ms_p50', value: round(percentile(network.rtt, 50), 3), unit: 'ms' },
      { key: 'verify_rtt_ms_p99', value: round(percentile(network.rtt, 99), 3), unit: 'ms', target: '<= 5' },
      {
        key: 'connections_per_1000_scans',
        value: network.servingSockets,
        unit: 'sockets',
        target: '1 (distinct server sockets serving them)',
      },
      {
        key: 'connections_opened_per_1000_scans',
        value: network.opened,
        unit: 'sockets',
        target: '0 (warm one reused)',
      },
    ];
    if (network.rttWithoutCpuWait) {
      // Diagnostic, no target: how much of the tail is this machine's CPU contention.
      rows.splice(7, 0, {
        key: 'verify_rtt_ms_p99_without_cpu_wait',
        value: round(percentile(network.rttWithoutCpuWait, 99), 3),
        unit: 'ms',
      });
    }
    return rows;
  },
};
