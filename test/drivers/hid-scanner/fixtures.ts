// Boot keyboard reports as a keyboard-wedge scanner sends them (synthetic codes only), written as
// hex the way a hidraw capture (`xxd -c 8`) shows them. Each character is a key-down report
// followed by the all-zero key-up report, which is how wedge scanners type.
export const hex = (line: string): Uint8Array =>
  Uint8Array.from(
    line
      .trim()
      .split(/\s+/)
      .map((b) => parseInt(b, 16)),
  );
export const reports = (lines: string): Uint8Array[] =>
  lines
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l.length > 0)
    .map(hex);

/** "Ab1-" then Enter. */
export const AB1_DASH = reports(`
  02 00 04 00 00 00 00 00  # Shift + a → A
  00 00 00 00 00 00 00 00
  00 00 05 00 00 00 00 00  # b
  00 00 00 00 00 00 00 00
  00 00 1e 00 00 00 00 00  # 1
  00 00 00 00 00 00 00 00
  00 00 2d 00 00 00 00 00  # -
  00 00 00 00 00 00 00 00
  00 00 28 00 00 00 00 00  # Enter
  00 00 00 00 00 00 00 00
`);

/** "aa": the same usage twice, separated by the all-zero report. */
export const DOUBLE_A = reports(`
  00 00 04 00 00 00 00 00
  00 00 00 00 00 00 00 00
  00 00 04 00 00 00 00 00
  00 00 00 00 00 00 00 00
  00 00 28 00 00 00 00 00
  00 00 00 00 00 00 00 00
`);

/** One 'a' held over three reports (auto-repeat is the host's business): types "a" once. */
export const HELD_A = reports(`
  00 00 04 00 00 00 00 00
  00 00 04 00 00 00 00 00
  00 00 04 00 00 00 00 00
  00 00 00 00 00 00 00 00
  00 00 28 00 00 00 00 00
  00 00 00 00 00 00 00 00
`);

/** 'a' still held while 'b' goes down (rollover): "ab". */
export const ROLLOVER_AB = reports(`
  00 00 04 00 00 00 00 00
  00 00 04 05 00 00 00 00
  00 00 05 00 00 00 00 00
  00 00 00 00 00 00 00 00
  00 00 28 00 00 00 00 00
  00 00 00 00 00 00 00 00
`);

/** Shifted punctuation, left shift pressed in its own report first, then right shift: `_+{}|:"~<>?!`. */
export const SHIFTED_PUNCTUATION = reports(`
  02 00 00 00 00 00 00 00
  02 00 2d 00 00 00 00 00  # _
  02 00 00 00 00 00 00 00
  02 00 2e 00 00 00 00 00  # +
  02 00 00 00 00 00 00 00
  02 00 2f 00 00 00 00 00  # {
  02 00 00 00 00 00 00 00
  02 00 30 00 00 00 00 00  # }
  02 00 00 00 00 00 00 00
  02 00 31 00 00 00 00 00  # |
  00 00 00 00 00 00 00 00
  20 00 33 00 00 00 00 00  # : (right shift)
  20 00 00 00 00 00 00 00
  20 00 34 00 00 00 00 00  # "
  20 00 00 00 00 00 00 00
  20 00 35 00 00 00 00 00  # ~
  20 00 00 00 00 00 00 00
  20 00 36 00 00 00 00 00  # <
  20 00 00 00 00 00 00 00
  20 00 37 00 00 00 00 00  # >
  20 00 00 00 00 00 00 00
  20 00 38 00 00 00 00 00  # ?
  20 00 00 00 00 00 00 00
  02 00 1e 00 00 00 00 00  # !
  00 00 00 00 00 00 00 00
  00 00 28 00 00 00 00 00
  00 00 00 00 00 00 00 00
`);

/** Unshifted punctuation and space: `-=[]\;'\`,./ ` then "x". */
export const PLAIN_PUNCTUATION = reports(`
  00 00 2d 00 00 00 00 00
  00 00 2e 00 00 00 00 00
  00 00 2f 00 00 00 00 00
  00 00 30 00 00 00 00 00
  00 00 31 00 00 00 00 00
  00 00 33 00 00 00 00 00
  00 00 34 00 00 00 00 00
  00 00 35 00 00 00 00 00
  00 00 36 00 00 00 00 00
  00 00 37 00 00 00 00 00
  00 00 38 00 00 00 00 00
  00 00 2c 00 00 00 00 00
  00 00 1b 00 00 00 00 00
  00 00 00 00 00 00 00 00
  00 00 28 00 00 00 00 00
  00 00 00 00 00 00 00 00
`);

/** "7" then the Non-US # and ~ key (0x32), which a US-layout decoder must not guess. */
export const NON_US_HASH = reports(`
  00 00 24 00 00 00 00 00
  00 00 00 00 00 00 00 00
  00 00 32 00 00 00 00 00
  00 00 00 00 00 00 00 00
  00 00 28 00 00 00 00 00
  00 00 00 00 00 00 00 00
`);

/** Keypad digits 4 2 and Keypad Enter. */
export const KEYPAD_42 = reports(`
  00 00 5c 00 00 00 00 00
  00 00 00 00 00 00 00 00
  00 00 5a 00 00 00 00 00
  00 00 00 00 00 00 00 00
  00 00 58 00 00 00 00 00
  00 00 00 00 00 00 00 00
`);

/** Ctrl + ] (a GS control character by "Ctrl mode"): not text. */
export const CTRL_BRACKET = reports(`
  00 00 04 00 00 00 00 00
  00 00 00 00 00 00 00 00
  01 00 30 00 00 00 00 00
  00 00 00 00 00 00 00 00
  00 00 28 00 00 00 00 00
  00 00 00 00 00 00 00 00
`);

/** A code typed with a report-ID byte 01 in front of each report: "z9". */
export const WITH_REPORT_ID = reports(`
  01 00 00 1d 00 00 00 00 00
  01 00 00 00 00 00 00 00 00
  01 00 00 26 00 00 00 00 00
  01 00 00 00 00 00 00 00 00
  01 00 00 28 00 00 00 00 00
  01 00 00 00 00 00 00 00 00
`);

/** Typing `text` (lowercase letters and digits only) the way a scanner does, ending in Enter. */
export function typed(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const zero = new Uint8Array(8);
  for (const char of text) {
    let usage: number;
    if (char >= 'a' && char <= 'z') usage = 0x04 + char.charCodeAt(0) - 0x61;
    else if (char === '0') usage = 0x27;
    else if (char >= '1' && char <= '9') usage = 0x1e + char.charCodeAt(0) - 0x31;
    else throw new Error(`typed() cannot type ${JSON.stringify(char)}`);
    out.push(Uint8Array.of(0, 0, usage, 0, 0, 0, 0, 0), zero);
  }
  out.push(Uint8Array.of(0, 0, 0x28, 0, 0, 0, 0, 0), zero);
  return out;
}
