import { describe, expect, it } from 'vitest';
import type { IdCardIdentity } from '../../../firmware/core/id-number.js';
import { outcomeOfVerdict } from '../../../firmware/gate/transition.js';
import { createGmCryptoSuite } from '../../../portal-client/crypto/gm-suite.js';
import { decideIdCard, decidePassCode } from '../../../portal-client/mock/domain/decide.js';
import {
  DEMO_PASS_CODE_KEYWORDS,
  DEMO_RESIDENT_KEYWORDS,
  demoPassCode,
  seedDemoDataset,
} from '../../../portal-client/mock/domain/demo-dataset.js';
import { PASS_CODE_PREFIX } from '../../../portal-client/mock/domain/pass-code.js';
import { GATE_VENUE } from '../../../scripts/lab/provisioned-gate.js';
import { syntheticCard } from '../../../scripts/lab/simulated-sam-reader.js';
import { mulberry32 } from '../../../scripts/lab/synth-image.js';
import { EXPECTED_OUTCOME, expectedOutcome, nextScanItem } from '../../../scripts/soak/scan-mix.js';

const crypto = createGmCryptoSuite();
const now = () => 1_800_000_000_000;
const state = seedDemoDataset({ seed: 'scan-mix-test', now, crypto });
const policy = { natPolicy: 'deny', vaccinationPolicy: 'deny' } as const;
const ctx = { masterKey: state.passCodeMasterKey, now, crypto, residents: state.residents };

describe('the soak’s expected outcomes agree with the mock portal at a soak venue', () => {
  it.each(DEMO_PASS_CODE_KEYWORDS)('pass code %s', (keyword) => {
    const text =
      keyword === 'invalid'
        ? `${PASS_CODE_PREFIX}this-is-no-pass-code-0123456789ab`
        : demoPassCode(state, keyword, { now, ttlMs: 86_400_000, crypto });
    const { verdict } = decidePassCode(text, GATE_VENUE, ctx);
    expect(outcomeOfVerdict(verdict, policy)).toBe(EXPECTED_OUTCOME[keyword]);
  });

  it.each(DEMO_RESIDENT_KEYWORDS)('ID card of %s', (keyword) => {
    const r = state.residents.byRef(state.demo.residents[keyword])!;
    const decided = decideIdCard({ cardType: 'resident', name: r.name, idNumber: r.idNumber }, GATE_VENUE, {
      residents: state.residents,
      now,
    });
    if (!decided.ok) throw new Error(decided.error);
    expect(outcomeOfVerdict(decided.verdict, policy)).toBe(expectedOutcome({ kind: 'card', keyword }));
  });

  it('ID card of a stranger', () => {
    const stranger: IdCardIdentity = syntheticCard(mulberry32(5));
    const decided = decideIdCard(stranger, GATE_VENUE, { residents: state.residents, now });
    if (!decided.ok) throw new Error(decided.error);
    expect(outcomeOfVerdict(decided.verdict, policy)).toBe(expectedOutcome({ kind: 'card', keyword: 'unknown' }));
  });
});

describe('scan mix', () => {
  it('uses only the devices plugged in, and mostly codes', () => {
    const random = mulberry32(1);
    expect(nextScanItem(random, { scanner: false, reader: false })).toBeNull();
    for (let i = 0; i < 50; i++) expect(nextScanItem(random, { scanner: true, reader: false })?.kind).toBe('code');
    for (let i = 0; i < 50; i++) expect(nextScanItem(random, { scanner: false, reader: true })?.kind).toBe('card');
    const kinds = Array.from({ length: 1000 }, () => nextScanItem(random, { scanner: true, reader: true })!);
    const cards = kinds.filter((k) => k.kind === 'card');
    expect(cards.length).toBeGreaterThan(120);
    expect(cards.length).toBeLessThan(280);
    expect(cards.some((c) => c.keyword === 'unknown')).toBe(true);
    expect(new Set(kinds.map((k) => k.keyword)).size).toBe(DEMO_PASS_CODE_KEYWORDS.length + 1);
  });
});
