// A simulated GA 467 SAM reader for tests and the bench. It sits on the device end of a line (the
// peer end of a pty pair, or a port on serialport's mock binding), answers commands as the
// protocol says, and can misbehave on request.
// It records every command it receives, so tests can assert what went over the wire.
// Cards are synthetic: see `syntheticCard`.
import { randomBytes } from 'node:crypto';
import { COMMAND_LIMITS, encodeReply, FrameDecoder, PREAMBLE, parseCommand } from '../../drivers/idcard/frame.js';
import { SW3 } from '../../drivers/idcard/status.js';
import { encodeReadData, encodeTextBlock, PHOTO_BYTES, type TextBlockFields } from '../../drivers/idcard/text-block.js';
import {
  type CardType,
  type IdCardIdentity,
  type IdNumberFormat,
  syntheticIdNumberOf,
} from '../../firmware/core/id-number.js';
import { type ClosableDeviceEnd, type DeviceEnd, openDeviceEnd } from './device-end.js';

/**
 * How the next replies go wrong:
 * - 'select-fails': select answers 81;
 * - 'read-fails': read answers 41 (read failed);
 * - 'bad-checksum': the read reply's checksum byte is wrong;
 * - 'truncated': only the first half of the read reply is sent;
 * - 'garbage': random bytes, preamble pieces included, precede every reply;
 * - 'silent': no reply at all, as a hung reader.
 */
export type SimulatedFault = 'select-fails' | 'read-fails' | 'bad-checksum' | 'truncated' | 'garbage' | 'silent';

export interface ReceivedCommand {
  cmd: number;
  para: number;
  /** Milliseconds since the simulator was opened. */
  atMs: number;
}

export interface SimulatedReaderOptions {
  /** The serial path open() opens (the pty pair's peer path); not needed with attach(). */
  path?: string;
  baudRate?: number;
  /**
   * A pty moves bytes instantly whatever the baud rate. With this set, each reply is held back
   * for as long as it would take on a real UART at this rate (10 bits a byte), e.g. 1295 bytes
   * at 115200 baud: 112 ms.
   */
  emulateWireBaud?: number;
}

/**
 * Timeout overrides for a driver talking to the simulator in tests: quick polls and reopens, and
 * a generous command timeout (the machine is shared: a late reply must not look like a fault).
 */
export const SIMULATED_READER_TIMEOUTS = {
  idCardCommandMs: 600,
  idCardRetries: 2,
  idCardPollMs: 20,
  driverReopenInitialMs: 20,
  driverReopenMaxMs: 100,
  driverPathPollMs: 20,
} as const;

const SYNTHETIC_NAME_CHARACTERS = '王李张刘陈杨黄赵周吴徐孙马朱胡林郭何高罗明华国文建平志伟芳秀英丽军';

/** Every kind of card a GA 467 reader reads, each with its ID-number format. */
export const SYNTHETIC_CARD_KINDS = ['resident', 'hmt-permit', 'foreigner-2017', 'foreigner-2023'] as const;
export type SyntheticCardKind = (typeof SYNTHETIC_CARD_KINDS)[number];

const CARD_OF_KIND: Record<SyntheticCardKind, { cardType: CardType; format: IdNumberFormat; region?: string }> = {
  resident: { cardType: 'resident', format: 'gb11643' },
  // Residence permits for Hong Kong (81), Macau (82) and Taiwan (83) residents: region 810000.
  'hmt-permit': { cardType: 'hmt-permit', format: 'gb11643', region: '810000' },
  'foreigner-2017': { cardType: 'foreign-permanent', format: 'foreigner-2017' },
  'foreigner-2023': { cardType: 'foreign-permanent', format: 'foreigner-2023' },
};

/**
 * A synthetic card: a name of 2–3 common characters and a number of the kind's format (a valid
 * check digit where the format has one). Resident cards unless `kind` says otherwise.
 */
export function syntheticCard(
  random: () => number = Math.random,
  kind: SyntheticCardKind = 'resident',
): IdCardIdentity {
  const pick = () => SYNTHETIC_NAME_CHARACTERS[Math.floor(random() * SYNTHETIC_NAME_CHARACTERS.length)];
  const length = 2 + Math.floor(random() * 2);
  let name = '';
  for (let i = 0; i < length; i++) name += pick();
  const { cardType, format, region } = CARD_OF_KIND[kind];
  return { cardType, name, idNumber: syntheticIdNumberOf(format, { random, region }) };
}

export class SimulatedSamReader {
  /** Every command received, in order, including any the simulator does not answer. */
  readonly received: ReceivedCommand[] = [];
  private readonly options: SimulatedReaderOptions;
  private end: DeviceEnd | undefined;
  private detach: (() => void) | undefined;
  /** The end open() opened, closed again by close(). */
  private opened: ClosableDeviceEnd | undefined;
  private readonly decoder = new FrameDecoder(COMMAND_LIMITS);
  private card: TextBlockFields | undefined;
  private faults: { fault: SimulatedFault; remaining: number }[] = [];
  private openedAt = 0;
  private served = 0;

  constructor(options: SimulatedReaderOptions = {}) {
    this.options = options;
  }

  /** Opens `path` and answers there. */
  async open(): Promise<void> {
    if (this.options.path === undefined) throw new Error('the simulated reader has no path to open');
    const end = await openDeviceEnd(this.options.path, this.options.baudRate ?? 115_200);
    this.opened = end;
    this.attach(end);
  }

  /** Answers on a device end the caller owns (a mock-binding port in unit tests). */
  attach(end: DeviceEnd): void {
    this.detach?.();
    this.end = end;
    this.detach = end.onData((chunk) => this.onData(chunk));
    this.openedAt = Date.now();
  }

  /** Stops answering; closes what open() opened. */
  async close(): Promise<void> {
    this.detach?.();
    this.detach = undefined;
    this.end = undefined;
    const opened = this.opened;
    this.opened = undefined;
    await opened?.close();
  }

  /** Read replies (30 01) sent with a card's data. */
  get readsServed(): number {
    return this.served;
  }

  /** Puts a card on the reader (replacing any). Fields beyond the identity are optional. */
  present(card: IdCardIdentity | TextBlockFields): void {
    this.card = { ...card };
  }

  /** Takes the card off the reader: find answers 80 until the next `present`. */
  remove(): void {
    this.card = undefined;
  }

  /** Makes the next `times` relevant replies misbehave (default: until `clearFaults`). */
  inject(fault: SimulatedFault, times = Number.POSITIVE_INFINITY): void {
    this.faults.push({ fault, remaining: times });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Commands received as 'CC PP' labels, for compact assertions. */
  receivedLabels(): string[] {
    return this.received.map((c) =>
      `${c.cmd.toString(16).padStart(2, '0')} ${c.para.toString(16).padStart(2, '0')}`.toUpperCase(),
    );
  }

  private takeFault(fault: SimulatedFault): boolean {
    const entry = this.faults.find((f) => f.fault === fault && f.remaining > 0);
    if (entry === undefined) return false;
    entry.remaining -= 1;
    return true;
  }

  private hasFault(fault: SimulatedFault): boolean {
    return this.faults.some((f) => f.fault === fault && f.remaining > 0);
  }

  private onData(chunk: Buffer): void {
    for (const result of this.decoder.push(chunk)) {
      if (result.kind !== 'frame') continue;
      const { cmd, para } = parseCommand(result);
      this.received.push({ cmd, para, atMs: Date.now() - this.openedAt });
      this.answer(cmd, para);
    }
  }

  private answer(cmd: number, para: number): void {
    if (this.takeFault('silent')) return;
    const key = (cmd << 8) | para;
    switch (key) {
      case 0x2001:
        this.send(this.card ? encodeReply(SW3.findOk, new Uint8Array(4)) : encodeReply(SW3.findFailed));
        return;
      case 0x2002:
        if (!this.card || this.takeFault('select-fails')) this.send(encodeReply(SW3.selectFailed));
        else this.send(encodeReply(SW3.ok, new Uint8Array(8)));
        return;
      case 0x3001:
        this.sendRead();
        return;
      case 0x11ff:
        this.send(encodeReply(SW3.ok));
        return;
      default:
        // Everything else, the fingerprint read included: "command error".
        this.send(encodeReply(SW3.commandError));
    }
  }

  private sendRead(): void {
    if (!this.card || this.takeFault('read-fails')) {
      this.send(encodeReply(SW3.readFailed));
      return;
    }
    const text = encodeTextBlock(this.card);
    const photo = randomBytes(PHOTO_BYTES);
    const frame = encodeReply(SW3.ok, encodeReadData(text, photo));
    this.served += 1;
    if (this.takeFault('bad-checksum')) frame[frame.length - 1] ^= 0xff;
    this.send(this.takeFault('truncated') ? frame.subarray(0, frame.length >> 1) : frame);
  }

  private send(frame: Buffer): void {
    const end = this.end;
    if (end === undefined) return;
    if (this.hasFault('garbage')) {
      this.takeFault('garbage');
      // Preamble pieces and a false header make the receiver's resynchronisation work.
      const garbage = Buffer.concat([
        randomBytes(3),
        Buffer.from(PREAMBLE.slice(0, 3)),
        randomBytes(2),
        Buffer.from([...PREAMBLE, 0xff, 0xff]),
        randomBytes(4),
      ]);
      end.write(garbage);
    }
    const baud = this.options.emulateWireBaud;
    if (baud === undefined) {
      end.write(frame);
      return;
    }
    setTimeout(
      () => {
        if (this.end === end) end.write(frame);
      },
      (frame.length * 10 * 1000) / baud,
    );
  }
}
