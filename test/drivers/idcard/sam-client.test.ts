import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findCard, readIdentity } from '../../../drivers/idcard/card-flow.js';
import { COMMAND_LIMITS, encodeReply, FrameDecoder, parseCommand } from '../../../drivers/idcard/frame.js';
import { SamClient } from '../../../drivers/idcard/sam-client.js';
import { describeSw3, SW3 } from '../../../drivers/idcard/status.js';
import { encodeReadData, encodeTextBlock } from '../../../drivers/idcard/text-block.js';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { FakeClock } from '../../../firmware/core/fake-clock.js';
import { syntheticIdNumber } from '../../../firmware/core/id-number.js';
import { timeoutTable } from '../../../firmware/core/timeouts.js';

const timeouts = timeoutTable({ idCardCommandMs: 100, idCardRetries: 1 });

/**
 * A reader in memory: answers each command with the next scripted reply (or nothing). Command
 * deadlines run on `clock`, which only the tests about them move: an answer can never lose a
 * race against a deadline on a loaded machine.
 */
function scripted(replies: (Buffer | undefined)[], clock = new FakeClock()) {
  const received: string[] = [];
  const chunks: Buffer[] = [];
  const decoder = new FrameDecoder(COMMAND_LIMITS);
  const client: SamClient = new SamClient({
    timeouts,
    clock,
    write: async (bytes) => {
      for (const r of decoder.push(bytes)) {
        if (r.kind !== 'frame') continue;
        const { cmd, para } = parseCommand(r);
        received.push(`${cmd.toString(16)} ${para.toString(16)}`);
        const reply = replies.shift();
        if (reply !== undefined) {
          const chunk = Buffer.from(reply);
          chunks.push(chunk);
          setImmediate(() => client.receive(chunk));
        }
      }
    },
  });
  return { client, received, chunks };
}

describe('SamClient and the read flow (no port)', () => {
  it('reads find → select → read and zeroes every received chunk', async () => {
    const photo = randomBytes(1024);
    const id = syntheticIdNumber();
    const text = encodeTextBlock({ cardType: 'resident', name: '李平', idNumber: id });
    const { client, received, chunks } = scripted([
      encodeReply(SW3.findOk, new Uint8Array(4)),
      encodeReply(SW3.ok, new Uint8Array(8)),
      encodeReply(SW3.ok, encodeReadData(text, photo)),
    ]);
    expect(await findCard(client)).toBe(true);
    expect(await readIdentity(client)).toEqual({ cardType: 'resident', name: '李平', idNumber: id });
    expect(received).toEqual(['20 1', '20 2', '30 1']);
    expect(chunks).toHaveLength(3);
    for (const chunk of chunks) expect(chunk.every((b) => b === 0)).toBe(true);
  });

  it('no card is false; other find statuses are typed card-status errors with details.sw3', async () => {
    const { client } = scripted([encodeReply(SW3.findFailed), encodeReply(SW3.samSelfCheckFailed)]);
    expect(await findCard(client)).toBe(false);
    const error = await findCard(client).catch((e: unknown) => e);
    expect(isPassgateError(error, 'driver.card-status')).toBe(true);
    expect((error as { details: object }).details).toMatchObject({
      sw3: 0x60,
      command: '20 01',
      sw3Name: 'samSelfCheckFailed',
    });
  });

  it('times out after 1 + idCardRetries silent attempts of idCardCommandMs each, with driver.timeout', async () => {
    const clock = new FakeClock();
    const { client, received } = scripted([], clock);
    const error = findCard(client).catch((e: unknown) => e);
    await clock.advance(timeouts.idCardCommandMs);
    expect(received).toEqual(['20 1', '20 1']);
    await clock.advance(timeouts.idCardCommandMs - 1);
    expect(clock.pendingTimers()).toBe(1);
    await clock.advance(1);
    expect(isPassgateError(await error, 'driver.timeout')).toBe(true);
    expect(((await error) as { details: object }).details).toEqual({ command: '20 01', timeoutMs: 100 });
  });

  it('a reply nobody waits for (late or unsolicited) is zeroed and answers nothing', async () => {
    const clock = new FakeClock();
    const { client, received } = scripted([undefined, encodeReply(SW3.findFailed)], clock);
    const found = findCard(client);
    await clock.advance(timeouts.idCardCommandMs); // the first attempt times out; the retry is answered
    expect(await found).toBe(false);
    const late = Buffer.from(encodeReply(SW3.findOk, new Uint8Array(4)));
    client.receive(late);
    expect(received).toEqual(['20 1', '20 1']);
    expect(late.every((b) => b === 0)).toBe(true);
  });

  it('a failed write rejects with driver.disconnected at once, without retries', async () => {
    let writes = 0;
    const client = new SamClient({
      timeouts,
      write: async () => {
        writes += 1;
        throw new Error('EIO');
      },
    });
    const error = await findCard(client).catch((e: unknown) => e);
    expect(isPassgateError(error, 'driver.disconnected')).toBe(true);
    expect(writes).toBe(1);
  });

  it('a closed client rejects with driver.disconnected', async () => {
    const { client } = scripted([]);
    client.close();
    expect(isPassgateError(await findCard(client).catch((e: unknown) => e), 'driver.disconnected')).toBe(true);
  });
});

describe('SW3 table', () => {
  it('has every SW3 status of drivers/idcard/README.md with a meaning', () => {
    const table: [sw3: number, meaning: string][] = [
      [0x90, 'OK'],
      [0x91, 'no such item on the card'],
      [0x9f, 'find OK'],
      [0x40, 'unknown card type'],
      [0x41, 'card read failed'],
      [0x80, 'find failed (no card)'],
      [0x81, 'select failed'],
      [0x60, 'SAM self-check failed'],
      [0x66, 'SAM not authorised'],
    ];
    for (const [sw3, meaning] of table) expect(describeSw3(sw3).meaning).toBe(meaning);
    for (const sw3 of [0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x34, 0x37, 0x3f, 0x47]) {
      expect(describeSw3(sw3).name).toBeDefined();
    }
    expect(Object.keys(SW3)).toHaveLength(21);
    expect(describeSw3(0x55)).toMatchObject({ name: undefined, transient: false });
  });
});
