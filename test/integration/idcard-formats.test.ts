// Every ID-number format end to end: the card's bytes (the simulated SAM reader encodes the text
// block) → the GA 467 reader driver → the portal client → the mock portal → the verdict. A card
// the portal knows passes; one it does not gets CHECK_SKM with its own number masked. A wrong
// check digit never leaves the driver, and the mock refuses one sent anyway (sealed BAD_REQUEST).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IdCardReaderDriver } from '../../drivers/idcard/reader-driver.js';
import type { InputEvent } from '../../drivers/input.js';
import type { IdCardIdentity } from '../../firmware/core/id-number.js';
import { timeoutTable } from '../../firmware/core/timeouts.js';
import { maskIdNumber, maskName, type Opinion, type Verdict } from '../../firmware/core/verdict.js';
import type { PortalClient } from '../../portal-client/client.js';
import { demoHealth, demoVenues } from '../../portal-client/mock/domain/demo-dataset.js';
import { crypto, type PortalFixture, startPortalFixture } from '../../scripts/lab/portal-fixture.js';
import {
  SIMULATED_READER_TIMEOUTS,
  SimulatedSamReader,
  SYNTHETIC_CARD_KINDS,
  type SyntheticCardKind,
  syntheticCard,
} from '../../scripts/lab/simulated-sam-reader.js';
import { rejection } from '../support/failures.js';
import { MockSerialPorts } from '../support/mock-serial-ports.js';
import { until } from '../support/polling.js';

const PATH = '/dev/serial/by-id/usb-Mock_IdCard_Reader-if00';
const timeouts = timeoutTable(SIMULATED_READER_TIMEOUTS);

let f: PortalFixture;
let client: PortalClient;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  f = await startPortalFixture({ deviceId: 'WX-CARDS-0001' });
  client = f.client();
  // A venue with both presets, so every verdict carries findings.
  const venue = demoVenues().find((v) => v.natValidityHours === 72 && v.vaccinationDoses !== null)!;
  await client.bind(venue.venueCode);
});
afterAll(async () => f.close());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What the driver makes of `card` put on the simulated reader: one event. */
async function readThroughDriver(card: IdCardIdentity): Promise<InputEvent> {
  const ports = new MockSerialPorts();
  const sim = new SimulatedSamReader();
  sim.attach(ports.plugIn(PATH));
  const driver = new IdCardReaderDriver({ path: PATH, timeouts, ports });
  const events: InputEvent[] = [];
  driver.onEvent((e) => events.push(e));
  cleanups.push(async () => {
    await driver.close();
    await sim.close();
  });
  await driver.open();
  sim.present(card);
  return until(() => events[0], 10_000, 'a card event');
}

/** A seeded source, different per kind, so each card is reproducible. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function cardOf(kind: SyntheticCardKind, seed: number): IdCardIdentity {
  return syntheticCard(seeded(seed + SYNTHETIC_CARD_KINDS.indexOf(kind) * 1000), kind);
}

/** The verdict at the bound venue (NAT 72 h, 3 doses): the card's masked identity and findings. */
function expectedVerdict(card: IdCardIdentity, opinion: Opinion, recordComplete: boolean): Verdict {
  return {
    opinion,
    maskedName: maskName(card.name),
    maskedId: maskIdNumber(card.idNumber),
    nat: { validityHours: 72, valid: recordComplete },
    vaccination: { dosesRequired: 3, complete: recordComplete },
  };
}

describe('ID-card formats: card bytes → driver → portal → verdict', () => {
  it.each(SYNTHETIC_CARD_KINDS)(
    '%s: a card the portal does not know gets CHECK_SKM with its masked identity',
    async (kind) => {
      const card = cardOf(kind, 11);
      const event = await readThroughDriver(card);
      // arrivedAt: when the reader first saw the card, on the driver's clock.
      expect(event).toEqual({ kind: 'card', source: 'idcard', card, arrivedAt: expect.any(Number) });
      if (event.kind !== 'card') return;
      const verdict = await client.verifyIdCard(event.card);
      expect(verdict).toEqual(expectedVerdict(card, 'CHECK_SKM', false));
    },
  );

  it.each(SYNTHETIC_CARD_KINDS)('%s: a card of a resident the portal knows passes', async (kind) => {
    const card = cardOf(kind, 23);
    const ref = crypto.randomBytes(16).toString('hex');
    expect(
      f.mock.state.residents.add({ ref, name: card.name, idNumber: card.idNumber, ...demoHealth('green', Date.now()) }),
    ).toBe(true);
    const event = await readThroughDriver(card);
    if (event.kind !== 'card') throw new Error(`expected a card event, got ${event.kind}`);
    const verdict = await client.verifyIdCard(event.card);
    expect(verdict).toEqual(expectedVerdict(card, 'PASS', true));
  });

  it('a wrong check digit: the driver refuses the card; the mock refuses such a number if sent anyway', async () => {
    for (const kind of ['resident', 'hmt-permit', 'foreigner-2023'] as const) {
      const good = cardOf(kind, 37);
      const bad = { ...good, idNumber: good.idNumber.slice(0, 17) + (good.idNumber.endsWith('0') ? '1' : '0') };
      expect(await readThroughDriver(bad)).toEqual({
        kind: 'read-error',
        source: 'idcard',
        code: 'driver.card-invalid',
        arrivedAt: expect.any(Number),
      });
      await cleanups.pop()?.();
      const refused = await rejection(client.verifyIdCard(bad));
      expect(refused.code).toBe('portal.rejected');
      expect(refused.details).toMatchObject({ portalCode: 'BAD_REQUEST', authenticated: true });
    }
  });

  it("a number of another card type's format is refused by the mock", async () => {
    const foreigner = cardOf('foreigner-2017', 41);
    const citizen = cardOf('resident', 41);
    for (const card of [
      { ...foreigner, cardType: 'resident' as const },
      { ...citizen, cardType: 'foreign-permanent' as const },
    ]) {
      expect((await rejection(client.verifyIdCard(card))).details.portalCode).toBe('BAD_REQUEST');
    }
  });
});
