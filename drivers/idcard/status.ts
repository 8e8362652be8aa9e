// The SAM's SW3 status byte: what each value means, and the typed error for a non-OK answer.
import { PassgateError } from '../../firmware/core/errors.js';

export const SW3 = {
  ok: 0x90,
  noContent: 0x91,
  findOk: 0x9f,
  checksumError: 0x10,
  lengthError: 0x11,
  commandError: 0x21,
  notAuthorised: 0x23,
  unrecognisedError: 0x24,
  cardAuthenticatesSamFailed: 0x31,
  samAuthenticatesCardFailed: 0x32,
  informationCheckFailed: 0x33,
  /** Listed by vendor SDKs: a card command before a successful find (see drivers/idcard/README.md, SW3). */
  cardNotFoundYet: 0x34,
  fingerprintError: 0x37,
  informationLengthError: 0x3f,
  unknownCardType: 0x40,
  readFailed: 0x41,
  randomNumberFailed: 0x47,
  samSelfCheckFailed: 0x60,
  samNotAuthorised: 0x66,
  findFailed: 0x80,
  selectFailed: 0x81,
} as const;

export type Sw3Name = keyof typeof SW3;

/** Meanings for operators (no personal data is involved in any of them). */
const MEANINGS: Record<Sw3Name, string> = {
  ok: 'OK',
  noContent: 'no such item on the card',
  findOk: 'find OK',
  checksumError: 'the SAM received a frame with a bad checksum',
  lengthError: 'the SAM received a frame with a bad length',
  commandError: 'the SAM did not recognise the command',
  notAuthorised: 'operation not authorised',
  unrecognisedError: 'unrecognised error',
  cardAuthenticatesSamFailed: 'the card failed to authenticate the SAM',
  samAuthenticatesCardFailed: 'the SAM failed to authenticate the card',
  informationCheckFailed: 'information check failed',
  cardNotFoundYet: 'no card found yet, card commands refused',
  fingerprintError: 'fingerprint error',
  informationLengthError: 'information length error',
  unknownCardType: 'unknown card type',
  readFailed: 'card read failed',
  randomNumberFailed: 'random number failure',
  samSelfCheckFailed: 'SAM self-check failed',
  samNotAuthorised: 'SAM not authorised',
  findFailed: 'find failed (no card)',
  selectFailed: 'select failed',
};

const BY_VALUE = new Map<number, Sw3Name>(Object.entries(SW3).map(([name, value]) => [value, name as Sw3Name]));

export interface Sw3Info {
  sw3: number;
  /** Undefined for a value outside the table. */
  name: Sw3Name | undefined;
  meaning: string;
  /** Worth repeating the same command: the frame or the RF exchange may simply have been disturbed. */
  transient: boolean;
}

const TRANSIENT: ReadonlySet<number> = new Set<number>([
  SW3.checksumError,
  SW3.lengthError,
  SW3.cardAuthenticatesSamFailed,
  SW3.samAuthenticatesCardFailed,
  SW3.informationCheckFailed,
  SW3.readFailed,
  SW3.randomNumberFailed,
]);

export function describeSw3(sw3: number): Sw3Info {
  const name = BY_VALUE.get(sw3);
  return {
    sw3,
    name,
    meaning: name === undefined ? 'status not in the GA 467 table' : MEANINGS[name],
    transient: TRANSIENT.has(sw3),
  };
}

/** Two-byte command as shown in the protocol tables, e.g. '20 01'. */
export function commandLabel(cmd: number, para: number): string {
  return `${cmd.toString(16).padStart(2, '0')} ${para.toString(16).padStart(2, '0')}`.toUpperCase();
}

/** PassgateError 'driver.card-status' for a non-OK SW3; details carry sw3 and the command. */
export function cardStatusError(sw3: number, cmd: number, para: number): PassgateError {
  const info = describeSw3(sw3);
  return new PassgateError('driver.card-status', `ID-card reader: ${info.meaning}`, {
    sw3,
    sw3Name: info.name,
    command: commandLabel(cmd, para),
  });
}
