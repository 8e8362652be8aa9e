import { describe, expect, it } from 'vitest';
import { isPassgateError, PassgateError } from '../../../firmware/core/errors.js';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import { ReplyWaiter } from '../../../firmware/core/reply-waiter.js';

interface Frame {
  id: number;
  text: string;
}

const timeout = () => new PassgateError('driver.timeout', 'no reply');
const gone = () => new PassgateError('driver.disconnected', 'link closed');

/** The promise's outcome now, without waiting: 'pending', or what it settled with. */
async function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown } | 'pending'> {
  const pending = Symbol('pending');
  const settled = await Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    new Promise<typeof pending>((resolve) => setImmediate(() => resolve(pending))),
  ]);
  return settled === pending ? 'pending' : settled;
}

describe('ReplyWaiter', () => {
  it('resolves a wait with the first offered frame its matcher accepts', async () => {
    const waiter = new ReplyWaiter<Frame>(new FakeClock());
    const wait = waiter.waitFor((f) => f.id === 2, 100, timeout);
    expect(waiter.offer({ id: 1, text: 'other' })).toBe(false);
    expect(waiter.offer({ id: 2, text: 'mine' })).toBe(true);
    await expect(wait.promise).resolves.toEqual({ id: 2, text: 'mine' });
    expect(waiter.pending).toBe(0);
    expect(waiter.offer({ id: 2, text: 'again' })).toBe(false); // it ended: a second reply is nobody's
  });

  it('offers a frame to the oldest matching wait only', async () => {
    const waiter = new ReplyWaiter<Frame>(new FakeClock());
    const any1 = waiter.waitFor(() => true, 100, timeout);
    const onlyB = waiter.waitFor((f) => f.text === 'b', 100, timeout);
    const any2 = waiter.waitFor(() => true, 100, timeout);
    expect(waiter.offer({ id: 1, text: 'a' })).toBe(true);
    expect(waiter.offer({ id: 2, text: 'b' })).toBe(true);
    expect(waiter.offer({ id: 3, text: 'b' })).toBe(true);
    await expect(any1.promise).resolves.toMatchObject({ id: 1 });
    await expect(onlyB.promise).resolves.toMatchObject({ id: 2 });
    await expect(any2.promise).resolves.toMatchObject({ id: 3 });
  });

  it('narrows the frame type with a type-guard matcher', async () => {
    type Line = { kind: 'ok' } | { kind: 'err'; reason: string };
    const waiter = new ReplyWaiter<Line>(new FakeClock());
    const wait = waiter.waitFor((l): l is Extract<Line, { kind: 'err' }> => l.kind === 'err', 100, timeout);
    waiter.offer({ kind: 'ok' });
    waiter.offer({ kind: 'err', reason: 'relay fault' });
    const line = await wait.promise;
    expect(line.reason).toBe('relay fault');
  });

  it('rejects at the deadline with the caller error, and calls onTimeout exactly then', async () => {
    const clock = new FakeClock();
    const waiter = new ReplyWaiter<Frame>(clock);
    const timedOutAt: number[] = [];
    const wait = waiter.waitFor(
      () => true,
      250,
      () => {
        timedOutAt.push(clock.now());
        return new PassgateError('driver.timeout', 'the board did not answer', { waitedMs: 250 });
      },
    );
    await clock.advance(249);
    expect(await outcome(wait.promise)).toBe('pending');
    await clock.advance(1);
    const result = await outcome(wait.promise);
    expect(result).not.toBe('pending');
    const error = (result as { error: unknown }).error;
    expect(isPassgateError(error, 'driver.timeout')).toBe(true);
    expect((error as PassgateError).details).toEqual({ waitedMs: 250 });
    expect(timedOutAt).toEqual([250]);
    expect(waiter.pending).toBe(0);
    expect(waiter.offer({ id: 1, text: 'late' })).toBe(false);
  });

  it('a reply in time clears the deadline: onTimeout never runs', async () => {
    const clock = new FakeClock();
    const waiter = new ReplyWaiter<Frame>(clock);
    let timeouts = 0;
    const wait = waiter.waitFor(
      () => true,
      100,
      () => {
        timeouts += 1;
        return timeout();
      },
    );
    waiter.offer({ id: 7, text: 'in time' });
    await clock.advance(1000);
    await expect(wait.promise).resolves.toMatchObject({ id: 7 });
    expect(timeouts).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('cancel() rejects that wait only, once; a later cancel or frame changes nothing', async () => {
    const clock = new FakeClock();
    const waiter = new ReplyWaiter<Frame>(clock);
    const cancelled = waiter.waitFor(() => true, 100, timeout);
    const other = waiter.waitFor(() => true, 100, timeout);
    cancelled.cancel(new PassgateError('driver.disconnected', 'write failed'));
    cancelled.cancel(new PassgateError('driver.frame-invalid', 'too late'));
    expect(waiter.offer({ id: 1, text: 'x' })).toBe(true);
    await expect(cancelled.promise).rejects.toMatchObject({ code: 'driver.disconnected' });
    await expect(other.promise).resolves.toMatchObject({ id: 1 });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a cancelled wait nobody awaits is not an unhandled rejection', async () => {
    const waiter = new ReplyWaiter<Frame>(new FakeClock());
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      waiter.waitFor(() => true, 100, timeout).cancel(gone());
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', record);
    }
    expect(unhandled).toEqual([]);
  });

  it('cancelAll() rejects every pending wait and keeps the waiter usable', async () => {
    const clock = new FakeClock();
    const waiter = new ReplyWaiter<Frame>(clock);
    const first = waiter.waitFor(() => true, 100, timeout);
    const second = waiter.waitFor(() => true, 100, timeout);
    waiter.cancelAll(new PassgateError('driver.frame-invalid', 'bad checksum'));
    await expect(first.promise).rejects.toMatchObject({ code: 'driver.frame-invalid' });
    await expect(second.promise).rejects.toMatchObject({ code: 'driver.frame-invalid' });
    expect(clock.pendingTimers()).toBe(0);
    const next = waiter.waitFor(() => true, 100, timeout);
    waiter.offer({ id: 3, text: 'after' });
    await expect(next.promise).resolves.toMatchObject({ id: 3 });
  });

  it('close() rejects pending waits and every later one with the close reason', async () => {
    const clock = new FakeClock();
    const waiter = new ReplyWaiter<Frame>(clock);
    const pending = waiter.waitFor(() => true, 100, timeout);
    waiter.close(new PassgateError('driver.disconnected', 'the scanner went away'));
    await expect(pending.promise).rejects.toMatchObject({
      code: 'driver.disconnected',
      message: 'the scanner went away',
    });
    const later = waiter.waitFor(() => true, 100, timeout);
    await expect(later.promise).rejects.toMatchObject({ message: 'the scanner went away' });
    expect(waiter.pending).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    expect(waiter.offer({ id: 1, text: 'x' })).toBe(false);
  });

  it('a matcher that throws counts as not matching; the frame goes to the next wait', async () => {
    const waiter = new ReplyWaiter<Frame>(new FakeClock());
    const broken = waiter.waitFor(
      () => {
        throw new Error('matcher bug');
      },
      100,
      timeout,
    );
    const fine = waiter.waitFor(() => true, 100, timeout);
    expect(waiter.offer({ id: 1, text: 'x' })).toBe(true);
    await expect(fine.promise).resolves.toMatchObject({ id: 1 });
    expect(await outcome(broken.promise)).toBe('pending');
  });

  it('each wait has its own deadline', async () => {
    const clock = new FakeClock();
    const waiter = new ReplyWaiter<Frame>(clock);
    const short = waiter.waitFor(
      () => true,
      100,
      () => new PassgateError('driver.timeout', 'short'),
    );
    const long = waiter.waitFor(
      () => true,
      300,
      () => new PassgateError('driver.timeout', 'long'),
    );
    await clock.advance(100);
    await expect(short.promise).rejects.toMatchObject({ message: 'short' });
    expect(waiter.offer({ id: 5, text: 'for the long one' })).toBe(true);
    await expect(long.promise).resolves.toMatchObject({ id: 5 });
  });
});
