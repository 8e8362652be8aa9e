// Crypto costs: the per-scan symmetric work (SM4-CBC both ways plus two HMAC-SM3, as one request
// and its response need) and each SM2 operation, which runs only at authorize/bind time.
import { createGmCryptoSuite } from '../../portal-client/crypto/gm-suite.js';
import { type BenchRow, type BenchSection, percentile, round, timeEach } from './section.js';

const SCAN_ROUNDS = 2000;
const SM2_ROUNDS = 30;
/** About the size of a sealed verification request or response body. */
const BODY_BYTES = 256;

export const cryptoSection: BenchSection = {
  name: 'crypto',
  async run(): Promise<BenchRow[]> {
    const suite = createGmCryptoSuite();
    const key = suite.randomBytes(16);
    const macKey = suite.randomBytes(32);
    const iv = suite.randomBytes(16);
    const body = suite.randomBytes(BODY_BYTES);
    const scan = timeEach(SCAN_ROUNDS, () => {
      const sealed = suite.sm4CbcEncrypt(key, iv, body);
      const tag = suite.hmacSm3(macKey, sealed);
      if (!suite.equalMac(tag, suite.hmacSm3(macKey, sealed))) throw new Error('HMAC mismatch');
      suite.sm4CbcDecrypt(key, iv, sealed);
    });

    const pair = suite.sm2GenerateKeyPair();
    const message = suite.randomBytes(200);
    const signature = suite.sm2Sign(pair.privateKey, message);
    const ciphertext = suite.sm2Encrypt(pair.publicKey, suite.randomBytes(32));
    const sign = timeEach(SM2_ROUNDS, () => suite.sm2Sign(pair.privateKey, message));
    const verify = timeEach(SM2_ROUNDS, () => {
      if (!suite.sm2Verify(pair.publicKey, message, signature)) throw new Error('SM2 verify failed');
    });
    const encrypt = timeEach(SM2_ROUNDS, () => suite.sm2Encrypt(pair.publicKey, message.subarray(0, 32)));
    const decrypt = timeEach(SM2_ROUNDS, () => suite.sm2Decrypt(pair.privateKey, ciphertext));

    return [
      { key: 'crypto_per_scan_p50_ms', value: round(percentile(scan, 50), 4), unit: 'ms', target: '<= 0.2' },
      { key: 'crypto_per_scan_p99_ms', value: round(percentile(scan, 99), 4), unit: 'ms' },
      { key: 'sm2_sign_p50_ms', value: round(percentile(sign, 50), 2), unit: 'ms' },
      { key: 'sm2_verify_p50_ms', value: round(percentile(verify, 50), 2), unit: 'ms' },
      { key: 'sm2_encrypt_p50_ms', value: round(percentile(encrypt, 50), 2), unit: 'ms' },
      { key: 'sm2_decrypt_p50_ms', value: round(percentile(decrypt, 50), 2), unit: 'ms' },
    ];
  },
};
