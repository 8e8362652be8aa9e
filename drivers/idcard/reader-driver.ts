// InputDriver for a GA 467 SAM ID-card reader on a serial port (or USB-CDC, same thing).
//
// It polls "find card" every idCardPollMs. A card that appears is selected and read once; while
// it stays on the reader it is not read again, unless the gate asks (readAgain: it had no room for
// the card); after the reader reports "no card" (80) it may be presented again. Each read ends in
// exactly one event, `card` or `read-error`, stamped with the time the find first saw the card. The photo is
// zeroed on arrival; name and number exist only in the event. Nothing is thrown out of the
// driver: failures become read-error events, states and `lastError`.
import { type Clock, systemClock } from '../../firmware/core/clock.js';
import { type ErrorCode, isPassgateError, PassgateError } from '../../firmware/core/errors.js';
import { closeSerialPort, type SerialPortLike, writeSerialPort } from '../../firmware/core/serial-port.js';
import { type TimeoutTable, timeoutTable } from '../../firmware/core/timeouts.js';
import type { InputEvent } from '../input.js';
import { ReconnectingInputDriver } from '../input-driver-base.js';
import { asDriverError } from '../reconnect.js';
import { type SerialPorts, systemSerialPorts } from '../serial-port.js';
import { findCard, readIdentity } from './card-flow.js';
import { IDCARD_READER_DEFAULT_BAUD_RATE } from './line-settings.js';
import { SamClient } from './sam-client.js';

export type IdCardReaderTimeouts = Pick<
  TimeoutTable,
  | 'idCardCommandMs'
  | 'idCardRetries'
  | 'idCardPollMs'
  | 'driverReopenInitialMs'
  | 'driverReopenMaxMs'
  | 'driverPathPollMs'
>;

export interface IdCardReaderOptions {
  /** Device path, e.g. /dev/ttyUSB0 or a /dev/serial/by-id link. */
  path: string;
  /** Default 115200, the GA 467 readers' usual rate. */
  baudRate?: number;
  /** Driver name in statuses and the `source` of events. Default 'idcard'. */
  name?: string;
  timeouts?: IdCardReaderTimeouts;
  /** Default: the system's ports through serialport. Unit tests pass serialport's mock binding. */
  ports?: SerialPorts;
  /** Stamps the time a card was first seen (monotonic ms); default the system clock. */
  clock?: Pick<Clock, 'now'>;
}

/** One open port and everything that lives only as long as it does. */
interface Session {
  port: SerialPortLike;
  client: SamClient;
  active: boolean;
  /** True once the card now on the reader has been read (or failed to read). */
  cardHandled: boolean;
  /** True while a card is being selected and read. */
  reading: boolean;
  timer?: ReturnType<typeof setTimeout>;
  wake?: () => void;
}

export class IdCardReaderDriver extends ReconnectingInputDriver<SerialPortLike> {
  private readonly path: string;
  private readonly baudRate: number;
  private readonly timeouts: IdCardReaderTimeouts;
  private readonly ports: SerialPorts;
  private readonly clock: Pick<Clock, 'now'>;
  private session: Session | undefined;

  constructor(options: IdCardReaderOptions) {
    const timeouts = options.timeouts ?? timeoutTable();
    const ports = options.ports ?? systemSerialPorts;
    super(options.name ?? 'idcard', {
      timeouts,
      isPresent: () => ports.exists(options.path),
      isFatal: (error) => error.details.reason === 'invalid-settings',
    });
    this.path = options.path;
    this.baudRate = options.baudRate ?? IDCARD_READER_DEFAULT_BAUD_RATE;
    this.timeouts = timeouts;
    this.ports = ports;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * The gate had no room for the card just read: read it again at the next poll if it is still
   * on the reader. Ignored while a card is being read (that is a new card, with its own event).
   */
  override readAgain(): void {
    const session = this.session;
    if (session === undefined || session.reading) return;
    session.cardHandled = false;
  }

  override async close(): Promise<void> {
    await super.close();
    this.endSession();
  }

  protected async openDevice(): Promise<SerialPortLike> {
    try {
      return await this.ports.open({ path: this.path, baudRate: this.baudRate });
    } catch (error) {
      throw asDriverError(error, 'driver.open-failed');
    }
  }

  protected async releaseDevice(port: SerialPortLike): Promise<void> {
    this.endSession();
    await closeSerialPort(port);
  }

  protected override deviceLost(): void {
    this.endSession();
  }

  protected attachDevice(port: SerialPortLike): void {
    this.endSession();
    const client = new SamClient({ write: (bytes) => writeSerialPort(port, bytes), timeouts: this.timeouts });
    const session: Session = { port, client, active: true, cardHandled: false, reading: false };
    this.session = session;
    port.on('data', (chunk: Buffer) => client.receive(chunk));
    const lost = (error?: Error | null) => {
      client.close();
      this.lost(port, error ?? new PassgateError('driver.disconnected', 'ID-card reader port closed'));
      void closeSerialPort(port);
    };
    port.on('close', lost);
    port.on('error', lost);
    void this.pollLoop(session);
  }

  private endSession(): void {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    session.active = false;
    session.client.close();
    if (session.timer !== undefined) clearTimeout(session.timer);
    session.wake?.();
  }

  private async pollLoop(session: Session): Promise<void> {
    while (session.active) {
      try {
        await this.pollOnce(session);
      } catch {
        // pollOnce handles its own failures; this only guards the loop against surprises.
      }
      if (!session.active) return;
      await new Promise<void>((resolve) => {
        session.wake = resolve;
        session.timer = setTimeout(resolve, this.timeouts.idCardPollMs);
      });
    }
  }

  private async pollOnce(session: Session): Promise<void> {
    let present: boolean;
    try {
      present = await findCard(session.client);
    } catch (error) {
      if (!session.active) return;
      const failure = asDriverError(error, 'driver.timeout');
      // find is answered even without a card: silence after every retry means the link is dead
      // (or the reader hung); reopening the port is the only cure worth trying.
      if (failure.code === 'driver.timeout' || failure.code === 'driver.disconnected') {
        this.lost(session.port, failure);
        void closeSerialPort(session.port);
      }
      return;
    }
    if (!session.active) return;
    if (!present) {
      session.cardHandled = false;
      return;
    }
    if (session.cardHandled) return;
    session.cardHandled = true;
    session.reading = true;
    // The card arrived when this find saw it: a slow or retried read counts in the gate's timings.
    const arrivedAt = this.clock.now();
    let event: InputEvent | undefined;
    try {
      event = { kind: 'card', source: this.name, card: await readIdentity(session.client), arrivedAt };
    } catch (error) {
      if (!isPassgateError(error, 'driver.disconnected')) {
        event = { kind: 'read-error', source: this.name, code: readErrorCode(error), arrivedAt };
      }
    }
    // Done reading before the event goes out: a listener may ask for the card to be read again.
    session.reading = false;
    if (session.active && event !== undefined) this.emitEvent(event);
  }
}

/** The code a failed read reports: the PassgateError's own, or card-invalid for anything else. */
function readErrorCode(error: unknown): ErrorCode {
  return isPassgateError(error) ? error.code : 'driver.card-invalid';
}
