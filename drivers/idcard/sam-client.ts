// One command at a time to a GA 467 SAM reader, over any byte link: write a command frame, wait
// for the next reply frame, with a timeout and retries from the timeout table.
import { type Clock, systemClock } from '../../firmware/core/clock.js';
import { isPassgateError, PassgateError } from '../../firmware/core/errors.js';
import { ReplyWaiter } from '../../firmware/core/reply-waiter.js';
import type { TimeoutTable } from '../../firmware/core/timeouts.js';
import { encodeCommand, FrameDecoder, isForbiddenCommand, parseReply, REPLY_LIMITS, type Reply } from './frame.js';
import { cardStatusError, commandLabel, describeSw3 } from './status.js';

export type SamTimeouts = Pick<TimeoutTable, 'idCardCommandMs' | 'idCardRetries'>;

/** The commands passgate sends. The fingerprint read (30 10) is not among them, on purpose. */
export const SAM_COMMANDS = {
  findCard: { cmd: 0x20, para: 0x01 },
  selectCard: { cmd: 0x20, para: 0x02 },
  readTextAndPhoto: { cmd: 0x30, para: 0x01 },
  samStatus: { cmd: 0x11, para: 0xff },
} as const;

export type SamCommandName = keyof typeof SAM_COMMANDS;

export interface SamClientOptions {
  /** Writes bytes to the reader; rejects if the link is gone. */
  write: (bytes: Buffer) => Promise<void>;
  timeouts: SamTimeouts;
  /** Called for every frame error seen on the wire (counts only; for diagnostics). */
  onFrameError?: (error: PassgateError) => void;
  /** Runs the command deadline; default the system clock. */
  clock?: Clock;
}

export class SamClient {
  private readonly options: SamClientOptions;
  private readonly decoder = new FrameDecoder(REPLY_LIMITS);
  /** One command is outstanding at a time, so the next reply frame is its answer. */
  private readonly replies: ReplyWaiter<Reply>;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: SamClientOptions) {
    this.options = options;
    this.replies = new ReplyWaiter(options.clock ?? systemClock);
  }

  /**
   * Bytes from the reader. The chunk is zeroed once the decoder has its copy: read replies carry
   * the card's photo and text, which must not linger in receive buffers.
   */
  receive(chunk: Buffer): void {
    const results = this.decoder.push(chunk);
    chunk.fill(0);
    let corrupted: PassgateError | undefined;
    for (const result of results) {
      if (result.kind === 'discarded') {
        this.options.onFrameError?.(result.error);
        if (result.reason === 'bad-checksum') corrupted = result.error;
        continue;
      }
      let reply: Reply;
      try {
        reply = parseReply(result);
      } catch (error) {
        result.bytes.fill(0);
        this.options.onFrameError?.(error as PassgateError);
        continue;
      }
      // Unsolicited or late (its command timed out): nobody may use it.
      if (!this.replies.offer(reply)) result.bytes.fill(0);
    }
    // A reply that failed its checksum will not come again by itself: fail now and retry, unless
    // a good frame answered or more bytes are on their way.
    if (corrupted !== undefined && this.decoder.pending === 0) this.replies.cancelAll(corrupted);
  }

  /** Fails the pending command and any later one: the link is gone. Zeroes buffered bytes. */
  close(reason: PassgateError = new PassgateError('driver.disconnected', 'ID-card reader link closed')): void {
    this.closed = true;
    this.decoder.reset();
    this.replies.close(reason);
  }

  /**
   * Sends a command and resolves with a reply whose SW3 is in `accept`. Retries (up to
   * idCardRetries more attempts) after a timeout, a corrupted reply, or a transient SW3; any
   * other SW3 rejects with 'driver.card-status' (details.sw3) at once. Commands are serialised.
   */
  command(name: SamCommandName, accept: readonly number[]): Promise<Reply> {
    const run = this.queue.then(() => this.withRetries(name, accept));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async withRetries(name: SamCommandName, accept: readonly number[]): Promise<Reply> {
    const { cmd, para } = SAM_COMMANDS[name];
    let lastError: PassgateError | undefined;
    for (let attempt = 0; attempt <= this.options.timeouts.idCardRetries; attempt++) {
      let reply: Reply;
      try {
        reply = await this.once(cmd, para);
      } catch (error) {
        const failure = isPassgateError(error)
          ? error
          : new PassgateError('driver.disconnected', 'ID-card reader write failed', {}, { cause: error });
        if (failure.code === 'driver.disconnected' || failure.code === 'driver.command-forbidden') throw failure;
        lastError = failure;
        continue;
      }
      if (accept.includes(reply.sw3)) return reply;
      const statusError = cardStatusError(reply.sw3, cmd, para);
      reply.data.fill(0);
      if (!describeSw3(reply.sw3).transient) throw statusError;
      lastError = statusError;
    }
    throw (
      lastError ??
      new PassgateError('driver.timeout', 'ID-card reader did not answer', { command: commandLabel(cmd, para) })
    );
  }

  private once(cmd: number, para: number): Promise<Reply> {
    if (this.closed) return Promise.reject(new PassgateError('driver.disconnected', 'ID-card reader link closed'));
    // Checked again here, right before the wire, whatever the caller passed.
    if (isForbiddenCommand(cmd, para)) {
      return Promise.reject(
        new PassgateError('driver.command-forbidden', 'the ID-card fingerprint read is never sent'),
      );
    }
    // Whatever is half-received belongs to an earlier, failed exchange.
    this.decoder.reset();
    const frame = encodeCommand(cmd, para);
    const reply = this.replies.waitFor(
      () => true,
      this.options.timeouts.idCardCommandMs,
      () => {
        for (const dropped of this.decoder.reset()) this.options.onFrameError?.(dropped.error);
        return new PassgateError('driver.timeout', 'ID-card reader did not answer in time', {
          command: commandLabel(cmd, para),
          timeoutMs: this.options.timeouts.idCardCommandMs,
        });
      },
    );
    this.options.write(frame).catch((error: unknown) => {
      reply.cancel(new PassgateError('driver.disconnected', 'ID-card reader write failed', {}, { cause: error }));
    });
    return reply.promise;
  }
}
