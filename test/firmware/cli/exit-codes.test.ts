// The exit codes are a contract with scripts and the vendor's flashing station: one table, every
// number with one meaning, and each error code mapped onto it the same way in every command.
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeSummary } from '../../../firmware/cli/exit-codes.js';
import { failureFor, failureLines } from '../../../firmware/cli/failures.js';
import { ERROR_CODES, type ErrorCode } from '../../../firmware/core/errors.js';

describe('the exit code table', () => {
  it('keeps the documented numbers, each with one meaning', () => {
    expect(EXIT).toEqual({
      ok: 0,
      failed: 1,
      usage: 2,
      invalidValue: 3,
      unknownKey: 4,
      storage: 5,
      noSymbol: 6,
      imageUnreadable: 7,
      notProvisioned: 10,
      portalUnreachable: 11,
      venueUnknown: 12,
      alreadyBound: 13,
      deviceNotRegistered: 14,
      vendorSuspended: 15,
      authFailed: 16,
      notBound: 17,
      bindTimeout: 18,
      daemonNotRunning: 19,
      alreadyProvisioned: 20,
      portalRejected: 21,
      noReleaseKey: 30,
      unsigned: 31,
      badSignature: 32,
      downgrade: 33,
      badArtifact: 34,
      installFailed: 35,
      nothingPending: 36,
      rolledBack: 37,
      releaseKeyExists: 38,
      crashed: 70,
    });
    const numbers = Object.values(EXIT);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('maps error codes onto it, the same for every command', () => {
    const exits: Partial<Record<ErrorCode, number>> = {
      'config.invalid-value': 3,
      'config.unknown-key': 4,
      'config.storage': 5,
      'decode.no-symbol': 6,
      'decode.image-unreadable': 7,
      'config.not-provisioned': 10,
      'portal.unreachable': 11,
      'portal.timeout': 11,
      'portal.venue-unknown': 12,
      'portal.already-bound': 13,
      'portal.device-unknown': 14,
      'portal.vendor-suspended': 15,
      'portal.auth-failed': 16,
      'portal.not-bound': 17,
      'gate.bind-timeout': 18,
      'daemon.not-running': 19,
      'config.already-provisioned': 20,
      'portal.bad-response': 21,
      'crypto.bad-key': 1,
      'update.no-release-key': 30,
      'update.unsigned': 31,
      'update.bad-signature': 32,
      'update.downgrade': 33,
      'update.bad-artifact': 34,
      'update.install-failed': 35,
      'update.nothing-pending': 36,
      'update.rolled-back': 37,
      'update.release-key-exists': 38,
    };
    for (const [code, exit] of Object.entries(exits)) expect(failureFor(code as ErrorCode).exit, code).toBe(exit);
    const known = new Set<number>(Object.values(EXIT));
    for (const code of Object.values(ERROR_CODES).flat()) {
      expect(known.has(failureFor(code).exit), code).toBe(true);
      const [zh, en] = failureLines(code);
      expect(zh).toMatch(/^错误: .*[\u4e00-\u9fff]/);
      expect(en).toMatch(/^error: /);
    }
  });

  it('spells the codes out for usage texts', () => {
    expect(exitCodeSummary(['ok', 'usage', 'daemonNotRunning'])).toBe('0 ok, 2 usage, 19 daemon not running');
  });
});
