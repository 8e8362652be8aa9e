// The mock portal's domain with a note of every verification it decides, for the soak's
// scan-for-scan accounting. The note holds the venue, the scan's keyed hash and the outcome the
// verdict gives at the gate; never the code, name, ID number or masked identity.
import type { OutcomeKind } from '../../firmware/core/outcome.js';
import type { GatePolicy } from '../../firmware/gate/model.js';
import { outcomeOfVerdict } from '../../firmware/gate/transition.js';
import type { PortalDomain } from '../../portal-client/mock/portal-domain.js';
import { type ScanPayload, scanKey } from './scan-key.js';

export interface DecisionNote {
  venueCode: string;
  kind: 'code' | 'card';
  key: string;
  outcome: OutcomeKind;
}

export function recordingDomain(
  inner: PortalDomain,
  secret: Buffer,
  policy: Pick<GatePolicy, 'natPolicy' | 'vaccinationPolicy'>,
  note: (decision: DecisionNote) => void,
): PortalDomain {
  const record = (venueCode: string, payload: ScanPayload, verdict: Parameters<typeof outcomeOfVerdict>[0]) =>
    note({ venueCode, kind: payload.kind, key: scanKey(secret, payload), outcome: outcomeOfVerdict(verdict, policy) });
  return {
    device: (deviceId) => inner.device(deviceId),
    binding: (deviceId) => inner.binding(deviceId),
    bind: (deviceId, venueCode) => inner.bind(deviceId, venueCode),
    rebind: (deviceId, venueCode) => inner.rebind(deviceId, venueCode),
    verifyPassCode(venue, code) {
      const verdict = inner.verifyPassCode(venue, code);
      record(venue.code, { kind: 'code', text: code }, verdict);
      return verdict;
    },
    verifyIdCard(venue, card) {
      const result = inner.verifyIdCard(venue, card);
      if (result.ok) record(venue.code, { kind: 'card', name: card.name, idNumber: card.idNumber }, result.value);
      return result;
    },
  };
}
