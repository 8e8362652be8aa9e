// `passgate release keygen|sign|verify`: the vendor's build machine makes its release key pair
// once and signs every artifact it ships with it; devices check the signature before installing
// (`passgate update apply`). Needs no data directory: nothing here touches a gate's config.
import { readPrivateKeyFile } from '../../portal-client/crypto/key-file.js';
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { isPassgateError } from '../core/errors.js';
import { generateReleaseKey, readReleasePublicKey } from '../update/release-key.js';
import { signArtifact, signaturePathOf, verifyArtifact } from '../update/release-signature.js';
import { problem, readCommandArgs, usageError } from './args.js';
import { EXIT } from './exit-codes.js';
import { reportFailure, reportMessage } from './failures.js';
import type { CommandOutput } from './io.js';
import { RELEASE_USAGE } from './usages.js';

/** The options of release (the README's command table is checked against these). */
export const SPEC = { values: ['out', 'key', 'pubkey'], flags: ['force'] };

export async function runReleaseCommand(
  args: readonly string[],
  crypto: CryptoSuite,
  out: CommandOutput,
): Promise<number> {
  const read = readCommandArgs(args, SPEC, RELEASE_USAGE, out);
  if (read.exit !== undefined) return read.exit;
  const { positional, values, flags } = read.args;
  const [action, ...files] = positional;
  try {
    if (action === 'keygen' && values.out && files.length === 0) {
      const written = await generateReleaseKey(crypto, values.out, flags.has('force'));
      out.stdout(`私钥 / private key (0600, 请妥善保管 / keep it offline): ${written.keyPath}`);
      out.stdout(`公钥 / public key (provision --vendor-release-key): ${written.pemPath}`);
      return EXIT.ok;
    }
    if (action === 'sign' && values.key && files.length > 0) {
      const privateKey = await readPrivateKeyFile(values.key);
      try {
        for (const file of files) {
          const signature = await signArtifact(crypto, privateKey, file);
          await writeFileAtomic(signaturePathOf(file), signature, 0o644);
          out.stdout(`已签名 / signed: ${signaturePathOf(file)}`);
        }
      } finally {
        privateKey.fill(0);
      }
      return EXIT.ok;
    }
    if (action === 'verify' && values.pubkey && files.length > 0) {
      const publicKey = await readReleasePublicKey(values.pubkey);
      for (const file of files) {
        await verifyArtifact(crypto, publicKey, file);
        out.stdout(`签名有效 / signature verified: ${file}`);
      }
      return EXIT.ok;
    }
  } catch (error) {
    if (isPassgateError(error)) return reportFailure(out, error.code, error.message);
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    const message = { zh: `无法读写文件（${code}）`, en: `a file could not be read or written (${code})` };
    return reportMessage(out, 'update.install-failed', message, EXIT.failed);
  }
  return usageError(
    out,
    RELEASE_USAGE,
    problem('usage.missing-argument', '缺少子命令或参数', 'missing action, option or file'),
  );
}
