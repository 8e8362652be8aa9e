import { describe, expect, it } from 'vitest';
import { sleep, systemClock } from '../../firmware/core/clock.js';
import { FakeClock } from '../../firmware/core/fake-clock.js';
import { SIGNAL_KINDS } from '../../firmware/core/outcome.js';
import { maskIdNumber, maskName, OPINION_TEXT, type Verdict } from '../../firmware/core/verdict.js';
import { displayTextFor, findingsLine, SIGNAL_TEXT } from '../../ui-led/display-text.js';

describe('FakeClock', () => {
  it('runs due timers in time order, then creation order, at their exact times', async () => {
    const clock = new FakeClock(100);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 20);
    const cancelled = clock.setTimeout(() => seen.push('never'), 5);
    clock.clearTimeout(cancelled);
    clock.setTimeout(() => {
      seen.push(`d@${clock.now()}`);
      clock.setTimeout(() => seen.push(`e@${clock.now()}`), 0); // scheduled by a timer, due now
    }, 30);
    clock.setTimeout(() => seen.push('late'), 31);
    await clock.advance(30);
    expect(seen).toEqual(['a@110', 'b@120', 'c@120', 'd@130', 'e@130']);
    expect(clock.now()).toBe(130);
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextDueMs()).toBe(131);
    await clock.advanceTo(200);
    expect(seen.at(-1)).toBe('late');
  });

  it('lets promise chains started by a timer settle before the next timer', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    clock.setTimeout(() => {
      void Promise.resolve().then(() => seen.push('async after 1'));
    }, 1);
    clock.setTimeout(() => seen.push('timer 2'), 2);
    await clock.advance(2);
    expect(seen).toEqual(['async after 1', 'timer 2']);
  });

  it('sleep works on both clocks', async () => {
    const clock = new FakeClock();
    let done = false;
    void sleep(clock, 50).then(() => (done = true));
    await clock.advance(49);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(done).toBe(true);
    const t0 = systemClock.now();
    await sleep(systemClock, 5);
    expect(systemClock.now() - t0).toBeGreaterThanOrEqual(4);
  });
});

describe('display text', () => {
  it('has Chinese and English text for every signal, verdict kinds with the standard text', () => {
    for (const kind of SIGNAL_KINDS) {
      expect(SIGNAL_TEXT[kind].zh.length).toBeGreaterThan(0);
      expect(SIGNAL_TEXT[kind].en.length).toBeGreaterThan(0);
    }
    expect(SIGNAL_TEXT.deny.zh).toBe(OPINION_TEXT.DENY);
    expect(SIGNAL_TEXT['show-code'].zh).toBe(OPINION_TEXT.SHOW_CODE);
    expect(SIGNAL_TEXT['check-skm'].zh).toBe(OPINION_TEXT.CHECK_SKM);
  });

  it('carries the findings and the masked identity, and drops an identity that is not masked', () => {
    const verdict: Verdict = {
      opinion: 'PASS',
      maskedName: maskName('测试乙'),
      maskedId: maskIdNumber('11010119900101002X'),
      nat: { validityHours: 24, valid: false },
    };
    expect(displayTextFor('pass', verdict)).toEqual({
      kind: 'pass',
      zh: '可',
      en: 'Pass',
      nat: { validityHours: 24, valid: false },
      maskedName: '**乙',
      maskedId: '1****************X',
    });
    const leaked = displayTextFor('pass', { ...verdict, maskedName: '测试乙', maskedId: '11010119900101002X' });
    expect(leaked.maskedName).toBeUndefined();
    expect(leaked.maskedId).toBeUndefined();
    expect(findingsLine(leaked)).toBe('核酸24h无效 NAT missing');
    expect(findingsLine({ vaccination: { dosesRequired: 2, complete: true } })).toBe('疫苗已完成 vaccinated');
  });
});
