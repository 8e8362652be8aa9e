// InputDriver for a GA 467 SAM ID-card reader on a serial port (or USB-CDC, same thing).
//
// It polls "find card" every idCardPollMs. A card that appears is selected and read once; while
// it stays on the reader it is not read again; after the reader reports "no card" (80) it may be
// presented again. Each read ends in exactly one event: `card` or `read-error`. The photo is
// zeroed on arrival; name and number exist only in the event. Nothing is thrown out of the
// driver: failures become read-error events, states and `lastError`.
import { SerialPort } from 'serialport';
import { PassgateError, isPassgateError, type ErrorCode } from '../../firmware/core/errors.js';
import { timeoutTable, type TimeoutTable } from '../../firmware/core/timeouts.js';
import { driverStatus, type DriverStatus, type InputDriver, type InputEvent } from '../input.js';
import { Listeners } from '../../firmware/core/listeners.js';
import { Reconnector, asDriverError, pathExists } from '../reconnect.js';
import { findCard, readIdentity } from './card-flow.js';
import { SamClient } from './sam-client.js';
import { IDCARD_READER_DEFAULT_BAUD_RATE } from './line-settings.js';

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
}

/** One open port and everything that lives only as long as it does. */
interface Session {
  port: SerialPort;
  client: SamClient;
  active: boolean;
  /** True once the card now on the reader has been read (or failed to read). */
  cardHandled: boolean;
  timer?: ReturnType<typeof setTimeout>;
  wake?: () => void;
}

function openSerialPort(path: string, baudRate: number): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    let port: SerialPort;
    try {
      if (!Number.isInteger(baudRate) || baudRate <= 0) throw new RangeError('baud rate must be a positive integer');
      port = new SerialPort({ path, baudRate, autoOpen: false });
    } catch (error) {
      // Only invalid options get here (the constructor throws for nothing else): retrying cannot help.
      reject(new PassgateError('driver.open-failed', 'invalid serial port settings', { reason: 'invalid-settings' }, { cause: error }));
      return;
    }
    port.open((error) => (error ? reject(asDriverError(error, 'driver.open-failed')) : resolve(port)));
  });
}

function closeSerialPort(port: SerialPort): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) return resolve();
    port.close(() => resolve());
  });
}

export class IdCardReaderDriver implements InputDriver {
  readonly name: string;
  private readonly path: string;
  private readonly baudRate: number;
  private readonly timeouts: IdCardReaderTimeouts;
  private readonly events = new Listeners<InputEvent>();
  private readonly states = new Listeners<DriverStatus>();
  private readonly reconnector: Reconnector<SerialPort>;
  private session: Session | undefined;

  constructor(options: IdCardReaderOptions) {
    this.name = options.name ?? 'idcard';
    this.path = options.path;
    this.baudRate = options.baudRate ?? IDCARD_READER_DEFAULT_BAUD_RATE;
    this.timeouts = options.timeouts ?? timeoutTable();
    this.reconnector = new Reconnector<SerialPort>({
      open: () => openSerialPort(this.path, this.baudRate),
      onOpen: (port) => this.startSession(port),
      onClosed: () => this.endSession(),
      onState: () => this.states.emitIgnoringFailures(this.status()),
      isPresent: pathExists(this.path),
      isFatal: (error) => error.details.reason === 'invalid-settings',
      release: async (port) => {
        this.endSession();
        await closeSerialPort(port);
      },
      timeouts: this.timeouts,
    });
  }

  status(): DriverStatus {
    return driverStatus(this.name, this.reconnector.state, this.reconnector.error);
  }

  open(): Promise<void> {
    return this.reconnector.start();
  }

  async close(): Promise<void> {
    await this.reconnector.stop();
    this.endSession();
  }

  onEvent(listener: (event: InputEvent) => void): () => void {
    return this.events.add(listener);
  }

  onState(listener: (status: DriverStatus) => void): () => void {
    return this.states.add(listener);
  }

  private startSession(port: SerialPort): void {
    this.endSession();
    const client = new SamClient({
      write: (bytes) =>
        new Promise<void>((resolve, reject) => {
          port.write(bytes, (error) => (error ? reject(error) : resolve()));
        }),
      timeouts: this.timeouts,
    });
    const session: Session = { port, client, active: true, cardHandled: false };
    this.session = session;
    port.on('data', (chunk: Buffer) => client.receive(chunk));
    const lost = (error?: Error | null) => {
      client.close();
      this.reconnector.lost(port, error ?? new PassgateError('driver.disconnected', 'ID-card reader port closed'));
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
        this.reconnector.lost(session.port, failure);
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
    try {
      const card = await readIdentity(session.client);
      if (!session.active) return;
      this.events.emitIgnoringFailures({ kind: 'card', source: this.name, card });
    } catch (error) {
      if (!session.active) return;
      if (isPassgateError(error, 'driver.disconnected')) return;
      this.events.emitIgnoringFailures({ kind: 'read-error', source: this.name, code: readErrorCode(error) });
    }
  }
}

/** The code a failed read reports: the PassgateError's own, or card-invalid for anything else. */
function readErrorCode(error: unknown): ErrorCode {
  return isPassgateError(error) ? error.code : 'driver.card-invalid';
}
