// Every fuzz target: its name, what it feeds to what, and how to load it (on demand, so the
// parent process loads no parser and each child only its own).
import type { FuzzTarget } from '../target.js';

interface TargetEntry {
  about: string;
  load(): Promise<FuzzTarget<unknown>>;
}

export const FUZZ_TARGETS = {
  'serial-scanner': {
    about: 'serial bytes in any chunks → ScanFrameParser (every suffix, prefix, AIM, reply recogniser)',
    load: async () => (await import('./serial-scanner.js')).serialScannerTarget(),
  },
  'hid-report': {
    about: 'HID boot reports of any length and content → HidReportDecoder (with and without report ID)',
    load: async () => (await import('./hid-report.js')).hidReportTarget(),
  },
  'idcard-frames': {
    about: 'GA 467 bytes in any chunks → FrameDecoder (replies and commands), parseReply, takeTextAndWipePhoto',
    load: async () => (await import('./idcard-frames.js')).idcardFramesTarget(),
  },
  'idcard-text': {
    about: 'GA 467 256-byte text blocks mutated from every card type → parseTextBlock',
    load: async () => (await import('./idcard-text.js')).idcardTextTarget(),
  },
  'portal-envelope': {
    about:
      'response texts mutated from sealed answers, and any plaintext sealed under the keys → openResponse, readResponseBody',
    load: async () => (await import('./portal-envelope.js')).portalEnvelopeTarget(),
  },
  'portal-client': {
    about: "the client against the mock in process, each verification's answer mutated, replaced or replayed",
    load: async () => (await import('./portal-client.js')).portalClientTarget(),
  },
  'http1-response': {
    about: "the portal's HTTP/1.1 answers, any bytes in any chunks → Http1ResponseParser (product and small limits)",
    load: async () => (await import('./http1-response.js')).http1ResponseTarget(),
  },
  'mock-portal': {
    about: "raw and sealed request bodies of any bytes, on every path → the mock portal's answerRequest",
    load: async () => (await import('./mock-portal.js')).mockPortalTarget(),
  },
  'gridmatrix-bytes': {
    about: 'Grid Matrix data codewords → decodeBitStream; module matrices with damage → decodeMatrix',
    load: async () => (await import('./gridmatrix-bytes.js')).gridMatrixBytesTarget(),
  },
  'gridmatrix-image': {
    about: 'PNG/JPEG/PGM bytes → decodeImageBytes; gray frames with smudges → GridMatrixDecoder',
    load: async () => (await import('./gridmatrix-image.js')).gridMatrixImageTarget(),
  },
  'config-values': {
    about: 'config set text and typed values for every key → parseValueText, validateValue, a SQLite store',
    load: async () => (await import('./config-values.js')).configValuesTarget(),
  },
  'cli-args': {
    about: 'command lines with options, values, --, -h and pasted pass codes → parseArgs, resolveDataDir, main',
    load: async () => (await import('./cli-args.js')).cliArgsTarget(),
  },
  'led-board': {
    about: "the serial LED board's replies in any chunks → BoardLineSplitter, parseBoardReply, parseBoardCommand",
    load: async () => (await import('./led-board.js')).ledBoardTarget(),
  },
} satisfies Record<string, TargetEntry> as Record<string, TargetEntry>;

export const FUZZ_TARGET_NAMES: readonly string[] = Object.keys(FUZZ_TARGETS);
