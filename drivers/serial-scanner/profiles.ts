// Command sets of the serial scanner modules passgate knows. Each profile gives the bytes of a
// software trigger, the configuration steps (command, whether a reply comes back), and a reply
// recogniser so the module's answers are never taken for scanned codes.
//
// Sources (public vendor manuals and open code; not yet tried on devices here):
// - Grow GM65/GM805/GM812: "zone bit" registers. Write `7E 00 08 01 AH AL VV AB CD`, read
//   `7E 00 07 01 AH AL NN AB CD` (AB CD stands in for the CRC and makes the module skip the check),
//   save to flash `7E 00 09 01 00 00 00 DE C8`. Reply `02 00 SS LL <LL data bytes> C1 C2`, SS 00 on
//   success; a write is answered `02 00 00 01 00 33 31`. Register 0x0000 bits 1-0 are the read mode
//   (00 manual, 01 command trigger, 10 continuous, 11 sense); 0x0060 bits 6-5 the tail
//   (00 CR, 01 CRLF, 10 TAB, 11 none; no LF). Trigger: write 01 to 0x0002.
// - Honeywell: `SYN T CR` triggers, `SYN U CR` stops; menu commands are `SYN M CR` + command +
//   storage ('!' volatile, '.' flash). The reply echoes the command with ACK (06), ENQ (05, unknown
//   command) or NAK (15, bad value) before the storage character. Trigger mode TRGMOD0 (manual /
//   serial trigger), TRGMOD3 (presentation); suffix for all symbologies SUFBK299<hex>, SUFCA2 clears.
// - Newland: `7E 01 '0000'` + storage ('#' temporary, '@' saved) + command + `;` + `03`. Reply
//   `02 01 '0000'` + echo + ACK (06) / NAK (15) / ENQ (05) + `3B 03`. Trigger `#SCNTRG1`; modes
//   SCNMOD0 level/trigger, SCNMOD2 sense, SCNMOD3 continuous.
import { PassgateError } from '../../firmware/core/errors.js';
import type { ReplyMatch, ReplyRecogniser } from './frame-parser.js';
import type { ScanMode, ScannerProfileName, SerialSuffix } from './options.js';

/** One configuration step. `build` gets the previous step's reply data (read-modify-write). */
export interface ConfigureStep {
  /** What the step does, for logs and errors. */
  description: string;
  build(previousReply: Uint8Array | undefined): Uint8Array;
  /** Whether the module answers this command (the driver then waits for the reply). */
  expectsReply: boolean;
}

export interface ScannerCommand {
  description: string;
  bytes: Uint8Array;
  expectsReply: boolean;
}

export interface ConfigureSettings {
  suffix: SerialSuffix;
  mode: ScanMode;
  /** Store in the module's flash; otherwise volatile where the module allows it. */
  persist: boolean;
}

export interface ScannerProfile {
  readonly name: ScannerProfileName;
  /** Undefined for modules without a reply format (the generic profile). */
  readonly replies: ReplyRecogniser | undefined;
  /** The software trigger command, or undefined when the module has none. */
  trigger(): ScannerCommand | undefined;
  /** Steps that set the suffix and mode; throws `config.invalid-value` for unsupported settings. */
  configure(settings: ConfigureSettings): ConfigureStep[];
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const fixed = (description: string, bytes: Uint8Array, expectsReply = true): ConfigureStep => ({
  description,
  build: () => bytes,
  expectsReply,
});

function unsupported(key: string, value: string, profile: ScannerProfileName): PassgateError {
  return new PassgateError('config.invalid-value', `the ${profile} profile cannot set this ${key}`, {
    key,
    value,
    profile,
  });
}

// ---------------------------------------------------------------- generic

export const genericProfile: ScannerProfile = {
  name: 'generic',
  replies: undefined,
  trigger: () => undefined,
  configure: () => [],
};

// ---------------------------------------------------------------- Grow GM65 class

const GM_CRC_PLACEHOLDER = [0xab, 0xcd];

export function gm65Write(address: number, value: number): Uint8Array {
  return Uint8Array.from([0x7e, 0x00, 0x08, 0x01, address >> 8, address & 0xff, value & 0xff, ...GM_CRC_PLACEHOLDER]);
}

export function gm65Read(address: number, count = 1): Uint8Array {
  return Uint8Array.from([0x7e, 0x00, 0x07, 0x01, address >> 8, address & 0xff, count & 0xff, ...GM_CRC_PLACEHOLDER]);
}

export const GM65_SAVE = Uint8Array.from([0x7e, 0x00, 0x09, 0x01, 0x00, 0x00, 0x00, 0xde, 0xc8]);
export const GM65_WRITE_OK = Uint8Array.from([0x02, 0x00, 0x00, 0x01, 0x00, 0x33, 0x31]);
const GM65_MODE_REGISTER = 0x0000;
const GM65_TRIGGER_REGISTER = 0x0002;
const GM65_TAIL_REGISTER = 0x0060;

export const gm65Replies: ReplyRecogniser = {
  maxLength: 4 + 255 + 2,
  alwaysOn: true, // 02 00 starts no code
  match(bytes: Uint8Array): ReplyMatch {
    if (bytes[0] !== 0x02) return { kind: 'none' };
    if (bytes.length < 2) return { kind: 'partial' };
    if (bytes[1] !== 0x00) return { kind: 'none' };
    if (bytes.length < 4) return { kind: 'partial' };
    const total = 4 + bytes[3] + 2;
    if (bytes.length < total) return { kind: 'partial' };
    return { kind: 'reply', length: total, ok: bytes[2] === 0x00, data: bytes.subarray(4, 4 + bytes[3]) };
  },
};

/** Replaces the bits under `mask` of a register read back in the previous step. */
function readModifyWrite(address: number, mask: number, bits: number, description: string): ConfigureStep {
  return {
    description,
    expectsReply: true,
    build(previous) {
      if (previous === undefined || previous.length < 1) {
        throw new PassgateError('driver.frame-invalid', 'register read returned no value', { address });
      }
      return gm65Write(address, (previous[0] & ~mask) | (bits & mask));
    },
  };
}

export const gm65Profile: ScannerProfile = {
  name: 'gm65',
  replies: gm65Replies,
  trigger: () => ({ description: 'trigger a scan', bytes: gm65Write(GM65_TRIGGER_REGISTER, 0x01), expectsReply: true }),
  configure({ suffix, mode, persist }) {
    const tail = { cr: 0b00, crlf: 0b01, none: 0b11 }[suffix as 'cr' | 'crlf' | 'none'];
    if (tail === undefined) throw unsupported('suffix', suffix, 'gm65');
    const modeBits = mode === 'trigger' ? 0b01 : 0b10;
    const steps: ConfigureStep[] = [
      fixed('read the mode register', gm65Read(GM65_MODE_REGISTER)),
      readModifyWrite(GM65_MODE_REGISTER, 0b0000_0011, modeBits, 'set the read mode'),
      fixed('read the tail register', gm65Read(GM65_TAIL_REGISTER)),
      readModifyWrite(GM65_TAIL_REGISTER, 0b0110_0000, tail << 5, 'set the tail'),
    ];
    if (persist) steps.push(fixed('save to flash', GM65_SAVE));
    return steps;
  },
};

// ---------------------------------------------------------------- Honeywell

const SYN = 0x16;
const ACK = 0x06;
const ENQ = 0x05;
const NAK = 0x15;

export const HONEYWELL_TRIGGER = Uint8Array.from([SYN, 0x54, 0x0d]);
export const HONEYWELL_UNTRIGGER = Uint8Array.from([SYN, 0x55, 0x0d]);

export function honeywellMenu(command: string, persist: boolean): Uint8Array {
  return Uint8Array.from([SYN, 0x4d, 0x0d, ...ascii(command), persist ? 0x2e : 0x21]);
}

export const honeywellReplies: ReplyRecogniser = {
  maxLength: 256,
  alwaysOn: false, // an echo has no start marker: only right after a menu command
  match(bytes: Uint8Array): ReplyMatch {
    for (let i = 0; i < bytes.length; i += 1) {
      const byte = bytes[i];
      if (byte === 0x0d || byte === 0x0a) return { kind: 'none' };
      if (byte === ACK || byte === ENQ || byte === NAK) {
        if (i + 1 >= bytes.length) return { kind: 'partial' };
        const storage = bytes[i + 1];
        if (storage !== 0x2e && storage !== 0x21) return { kind: 'none' };
        return { kind: 'reply', length: i + 2, ok: byte === ACK, data: bytes.subarray(0, i) };
      }
    }
    return { kind: 'partial' };
  },
};

export const honeywellProfile: ScannerProfile = {
  name: 'honeywell',
  replies: honeywellReplies,
  trigger: () => ({ description: 'trigger a scan', bytes: HONEYWELL_TRIGGER, expectsReply: false }),
  configure({ suffix, mode, persist }) {
    const suffixCommand = { cr: 'SUFBK2990D', lf: 'SUFBK2990A', crlf: 'SUFBK2990D0A', none: 'SUFCA2' }[suffix];
    return [
      fixed('set the trigger mode', honeywellMenu(mode === 'trigger' ? 'TRGMOD0' : 'TRGMOD3', persist)),
      fixed('set the suffix', honeywellMenu(suffixCommand, persist)),
    ];
  },
};

// ---------------------------------------------------------------- Newland

const NEWLAND_PREFIX = [0x7e, 0x01, 0x30, 0x30, 0x30, 0x30];
const NEWLAND_REPLY_PREFIX = [0x02, 0x01, 0x30, 0x30, 0x30, 0x30];

/** `storage` '#' is temporary, '@' saved; `command` without the trailing ';'. */
export function newlandCommand(storage: '#' | '@', command: string): Uint8Array {
  return Uint8Array.from([...NEWLAND_PREFIX, ...ascii(storage + command), 0x3b, 0x03]);
}

export const newlandReplies: ReplyRecogniser = {
  maxLength: 256,
  alwaysOn: true, // 02 01 '0000' starts no code
  match(bytes: Uint8Array): ReplyMatch {
    for (let i = 0; i < Math.min(bytes.length, NEWLAND_REPLY_PREFIX.length); i += 1) {
      if (bytes[i] !== NEWLAND_REPLY_PREFIX[i]) return { kind: 'none' };
    }
    for (let i = NEWLAND_REPLY_PREFIX.length; i + 2 < bytes.length; i += 1) {
      const status = bytes[i];
      if ((status === ACK || status === NAK || status === ENQ) && bytes[i + 1] === 0x3b && bytes[i + 2] === 0x03) {
        return {
          kind: 'reply',
          length: i + 3,
          ok: status === ACK,
          data: bytes.subarray(NEWLAND_REPLY_PREFIX.length, i),
        };
      }
    }
    return { kind: 'partial' };
  },
};

export const newlandProfile: ScannerProfile = {
  name: 'newland',
  replies: newlandReplies,
  trigger: () => ({ description: 'trigger a scan', bytes: newlandCommand('#', 'SCNTRG1'), expectsReply: true }),
  configure({ mode, persist }) {
    // The terminating suffix is set with the manual's setup codes; its serial command is not
    // confirmed from a public source, so it is not sent.
    return [
      fixed('set the scan mode', newlandCommand(persist ? '@' : '#', mode === 'trigger' ? 'SCNMOD0' : 'SCNMOD3')),
    ];
  },
};

export const SCANNER_PROFILES: Readonly<Record<ScannerProfileName, ScannerProfile>> = {
  generic: genericProfile,
  gm65: gm65Profile,
  honeywell: honeywellProfile,
  newland: newlandProfile,
};
