// HID Keyboard/Keypad page (0x07) usages → characters, US layout, as a keyboard-wedge scanner set
// to "US keyboard" sends them. Source: USB HID Usage Tables, Keyboard/Keypad page.
//
// 0x2D–0x38 are twelve usages, not eleven: 0x31 is "\ and |" (US) and 0x32 is "Non-US # and ~"
// (the key beside Enter on ISO keyboards). A US-layout scanner never sends 0x32; a scanner set to a
// UK or other ISO layout does, meaning '#'/'~' there, while Linux's US keymap would type '\'.
// Rather than guess, 0x32 is left out: a code containing it is discarded as 'unknown-usage'.

/** Enter (0x28) and Keypad Enter (0x58) end a code. */
export const TERMINATOR_USAGES: ReadonlySet<number> = new Set([0x28, 0x58]);

/** Left and right Shift in the modifier byte. */
export const SHIFT_MASK = 0x02 | 0x20;
/** Ctrl, Alt and GUI (left and right): a character typed with these is not text. */
export const NON_TEXT_MODIFIER_MASK = 0x01 | 0x04 | 0x08 | 0x10 | 0x40 | 0x80;

/** [unshifted, shifted] for each usage. */
const TABLE = new Map<number, readonly [string, string]>();

for (let i = 0; i < 26; i += 1) {
  const lower = String.fromCharCode(0x61 + i);
  TABLE.set(0x04 + i, [lower, lower.toUpperCase()]);
}
const DIGITS_SHIFTED = '!@#$%^&*()';
for (let i = 0; i < 9; i += 1) TABLE.set(0x1e + i, [String(i + 1), DIGITS_SHIFTED[i]]);
TABLE.set(0x27, ['0', ')']);
TABLE.set(0x2c, [' ', ' ']);

const PUNCTUATION: ReadonlyArray<readonly [number, string, string]> = [
  [0x2d, '-', '_'],
  [0x2e, '=', '+'],
  [0x2f, '[', '{'],
  [0x30, ']', '}'],
  [0x31, '\\', '|'],
  // 0x32 Non-US # and ~: deliberately absent (see above).
  [0x33, ';', ':'],
  [0x34, "'", '"'],
  [0x35, '`', '~'],
  [0x36, ',', '<'],
  [0x37, '.', '>'],
  [0x38, '/', '?'],
];
for (const [usage, plain, shifted] of PUNCTUATION) TABLE.set(usage, [plain, shifted]);

// Keypad (scanners set to "emulate keypad" send digits here; Num Lock is assumed on).
const KEYPAD: ReadonlyArray<readonly [number, string]> = [
  [0x54, '/'],
  [0x55, '*'],
  [0x56, '-'],
  [0x57, '+'],
  [0x62, '0'],
  [0x63, '.'],
];
for (let i = 0; i < 9; i += 1) TABLE.set(0x59 + i, [String(i + 1), String(i + 1)]);
for (const [usage, char] of KEYPAD) TABLE.set(usage, [char, char]);

/** The character of `usage` with the given modifier byte, or undefined if it is not text. */
export function usageToChar(usage: number, modifiers: number): string | undefined {
  if ((modifiers & NON_TEXT_MODIFIER_MASK) !== 0) return undefined;
  const entry = TABLE.get(usage);
  if (entry === undefined) return undefined;
  return (modifiers & SHIFT_MASK) !== 0 ? entry[1] : entry[0];
}
