// The runner's log lines and its part in re-reading a dropped card, on a fake clock with a portal
// that answers when the test says so. (test/integration/gate-runner/ runs it against the mock
// portal and real display backends.)
import { describe, expect, it } from 'vitest';
import { MockIdCardReader } from '../../../drivers/idcard/mock-reader.js';
import { MockSerialScanner } from '../../../drivers/serial-scanner/mock.js';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import type { IdCardIdentity } from '../../../firmware/core/id-number.js';
import type { SignalKind } from '../../../firmware/core/outcome.js';
import type { Verdict } from '../../../firmware/core/verdict.js';
import type { GatePolicy } from '../../../firmware/gate/model.js';
import { type GatePortal, GateRunner } from '../../../firmware/gate/runner.js';
import { syntheticCard } from '../../../scripts/lab/simulated-sam-reader.js';
import { CapturingLogger } from '../../integration/gate-runner/runner-rig.js';
import { TEST_GATE_POLICY } from '../../support/gate-policy.js';

const POLICY: GatePolicy = { ...TEST_GATE_POLICY, busyInput: 'queue' };
const PASS: Verdict = { opinion: 'PASS', maskedName: '*a', maskedId: '1****************2' };

/** A portal whose answers the test gives, one per request, in order. */
class HeldPortal implements GatePortal {
  readonly requests: Array<{ kind: 'code' | 'card'; answer: (verdict: Verdict) => void }> = [];

  verifyPassCode(_code: string): Promise<Verdict> {
    return new Promise((resolve) => this.requests.push({ kind: 'code', answer: resolve }));
  }

  verifyIdCard(_card: IdCardIdentity): Promise<Verdict> {
    return new Promise((resolve) => this.requests.push({ kind: 'card', answer: resolve }));
  }

  bind(): Promise<never> {
    return Promise.reject(new Error('not in these tests'));
  }

  rebind(): Promise<never> {
    return this.bind();
  }
}

function setUp(options: { policy?: Partial<GatePolicy>; portal?: GatePortal; bound?: boolean; provisioned?: boolean }) {
  const clock = new FakeClock(100_000);
  const logger = new CapturingLogger();
  const shown: SignalKind[] = [];
  const portal = options.portal ?? new HeldPortal();
  const runner = new GateRunner({
    portal,
    display: { play: (kind) => shown.push(kind) },
    clock,
    logger,
    policy: { ...POLICY, ...options.policy },
    provisioned: options.provisioned ?? true,
    bound: options.bound ?? true,
  });
  return { clock, logger, shown, portal, runner };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('verdict timings start when the input arrived', () => {
  it('a card read that took 4.6 s and failed: totalMs is 4.6 s, not the moment the error reached the gate', async () => {
    const { clock, logger, runner } = setUp({});
    await clock.advance(4600);
    runner.acceptInput({ kind: 'read-error', source: 'idcard', code: 'driver.timeout', arrivedAt: clock.now() - 4600 });
    expect(logger.verdicts).toEqual([
      expect.objectContaining({ outcome: 'read-error', cause: 'driver.timeout', totalMs: 4600 }),
    ]);
  });

  it('a code: read→request from its first byte, total from its first byte to the signal', async () => {
    const { clock, logger, runner, portal } = setUp({});
    const arrivedAt = clock.now();
    await clock.advance(120);
    runner.acceptInput({ kind: 'code', source: 'serial', text: 'PG-1', symbology: 'qr', arrivedAt });
    await clock.advance(30);
    (portal as HeldPortal).requests[0].answer(PASS);
    await settle();
    expect(logger.verdicts[0]).toMatchObject({ outcome: 'pass', readToRequestMs: 120, portalMs: 30, totalMs: 150 });
  });

  it('an arrival time ahead of the gate clock (another clock) counts from when the gate got it', () => {
    const { clock, logger, runner } = setUp({});
    runner.acceptInput({ kind: 'read-error', source: 'x', code: 'driver.overlong', arrivedAt: clock.now() + 50_000 });
    expect(logger.verdicts[0]).toMatchObject({ outcome: 'read-error', totalMs: 0 });
  });
});

describe('every network-error, read-error and not-bound line names its cause', () => {
  it('a portal that throws instead of rejecting: network-error with a cause, the gate goes on', async () => {
    const throwing: GatePortal = {
      ...new HeldPortal(),
      verifyPassCode: () => {
        throw new Error('synchronous failure');
      },
      verifyIdCard: () => Promise.reject(new Error('no')),
      bind: () => Promise.reject(new Error('no')),
      rebind: () => Promise.reject(new Error('no')),
    };
    const { clock, logger, runner } = setUp({ portal: throwing });
    runner.acceptInput({ kind: 'code', source: 'serial', text: 'PG-1', symbology: 'qr', arrivedAt: clock.now() });
    await settle();
    expect(logger.verdicts).toEqual([
      expect.objectContaining({ outcome: 'network-error', cause: 'portal.bad-response' }),
    ]);
  });

  it('not bound, or not provisioned: the not-bound line says which', () => {
    for (const [provisioned, cause] of [
      [true, 'portal.not-bound'],
      [false, 'config.not-provisioned'],
    ] as const) {
      const { clock, logger, runner } = setUp({ bound: false, provisioned });
      runner.acceptInput({ kind: 'code', source: 'serial', text: 'PG-1', symbology: 'qr', arrivedAt: clock.now() });
      expect(logger.verdicts).toEqual([expect.objectContaining({ outcome: 'not-bound', cause })]);
    }
  });
});

describe('dropped input', () => {
  it('is logged with its reason and source (and the code of a dropped read error), never the input', () => {
    const { clock, logger, runner, shown } = setUp({ policy: { busyInput: 'drop' } });
    runner.acceptInput({
      kind: 'code',
      source: 'serial',
      text: 'PG-SECRET-1',
      symbology: 'qr',
      arrivedAt: clock.now(),
    });
    runner.acceptInput({
      kind: 'code',
      source: 'serial',
      text: 'PG-SECRET-2',
      symbology: 'qr',
      arrivedAt: clock.now(),
    });
    runner.acceptInput({ kind: 'read-error', source: 'idcard', code: 'driver.card-status', arrivedAt: clock.now() });
    expect(logger.events('input-dropped')).toEqual([
      expect.objectContaining({ level: 'info', reason: 'busy', source: 'serial' }),
      expect.objectContaining({ level: 'info', reason: 'busy', source: 'idcard', cause: 'driver.card-status' }),
    ]);
    expect(logger.lines.join('\n')).not.toContain('SECRET');
    expect(shown.filter((k) => k === 'input-dropped')).toHaveLength(2);
    expect(runner.droppedCount()).toBe(2);
  });

  it('a card dropped while the queue is full is read again from its reader once the queue has room', async () => {
    const { clock, runner, portal, logger } = setUp({});
    const held = portal as HeldPortal;
    const scanner = new MockSerialScanner('serial', clock);
    const cards = new MockIdCardReader('cards', clock);
    for (const driver of [scanner, cards]) {
      runner.attachInput(driver);
      await driver.open();
    }
    scanner.inject('PG-A'); // verifying
    scanner.inject('PG-B'); // queued: the queue (1) is full
    const card = syntheticCard();
    cards.present(card); // dropped, and the reader will not read it again by itself
    expect(logger.events('input-dropped')).toEqual([
      expect.objectContaining({ reason: 'queue-full', source: 'cards' }),
    ]);
    held.requests[0].answer(PASS);
    await settle();
    await clock.advance(POLICY.showMs); // PG-B is verified; the queue has room again
    await settle();
    expect(held.requests.map((r) => r.kind)).toEqual(['code', 'code']);
    held.requests[1].answer(PASS);
    await settle();
    await clock.advance(POLICY.showMs);
    await settle();
    // The card, still on the reader, was read again, queued and now verified.
    expect(held.requests.map((r) => r.kind)).toEqual(['code', 'code', 'card']);
  });
});
