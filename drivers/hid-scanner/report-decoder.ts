// Boot keyboard reports from a keyboard-wedge scanner in, codes out. Pure, bounded memory.
//
// A report is [modifiers, reserved, k1..k6]: the usages of the keys down right now. A character is
// typed when its usage appears that was not in the previous report. So a key held over several
// reports types once, and the scanner's all-zero report between two equal characters ("aa") lets
// the second one appear anew. Enter ends the code.
import { TERMINATOR_USAGES, usageToChar } from './usage-table.js';

export type HidDiscardReason = 'unknown-usage' | 'overlong' | 'malformed-report' | 'empty' | 'incomplete';

/** `arrivedAt`: the time given with the code's first report (see push); absent when none was given. */
export type HidFrame = (
  | { kind: 'code'; text: string }
  /** `length` counts the characters typed (never their content). */
  | { kind: 'discarded'; reason: HidDiscardReason; length: number }
) & { arrivedAt?: number };

export interface HidDecoderOptions {
  /** Longest accepted code in characters; longer ones are discarded at Enter. */
  maxCodeLength: number;
  /** When the device numbers its reports, the report ID in front of the 8 bytes. */
  reportId?: number;
}

const BOOT_REPORT_LENGTH = 8;
const ERROR_ROLL_OVER = 0x01;

export class HidReportDecoder {
  private readonly options: HidDecoderOptions;
  private previous = new Set<number>();
  private text = '';
  private typed = 0;
  private problem: HidDiscardReason | undefined;
  /** The time of the report being decoded, and of the first report of the code being typed. */
  private reportAt: number | undefined;
  private startedAt: number | undefined;

  constructor(options: HidDecoderOptions) {
    this.options = options;
  }

  /** Characters typed since the last Enter. */
  get pending(): number {
    return this.typed;
  }

  /** `at`: when the report arrived (monotonic ms); each frame carries its first report's time. */
  push(report: Uint8Array, at?: number): HidFrame[] {
    this.reportAt = at;
    const frames: HidFrame[] = [];
    let body = report;
    if (this.options.reportId !== undefined) {
      if (report[0] !== this.options.reportId) {
        if (report.length > 0) this.taint('malformed-report');
        return frames;
      }
      body = report.subarray(1);
    }
    if (body.length !== BOOT_REPORT_LENGTH) {
      if (body.length > 0) this.taint('malformed-report');
      return frames;
    }
    const modifiers = body[0];
    const keys = [...body.subarray(2)].filter((usage) => usage !== 0);
    // Too many keys at once: the keyboard reports ErrorRollOver in every slot; state unknown.
    if (keys.length > 0 && keys.every((usage) => usage === ERROR_ROLL_OVER)) {
      this.taint('malformed-report');
      return frames;
    }
    for (const usage of keys) {
      if (this.previous.has(usage)) continue; // still held: not a new press
      if (TERMINATOR_USAGES.has(usage)) {
        frames.push(this.end());
        continue;
      }
      this.type(usage, modifiers);
    }
    this.previous = new Set(keys);
    return frames;
  }

  /** The keys went quiet without Enter: drop what was typed. */
  flush(): HidFrame[] {
    this.previous = new Set();
    if (this.typed === 0 && this.problem === undefined) return [];
    const frame = this.stamp({ kind: 'discarded', reason: 'incomplete', length: this.typed });
    this.reset();
    return [frame];
  }

  private type(usage: number, modifiers: number): void {
    this.startedAt ??= this.reportAt;
    this.typed += 1;
    const char = usageToChar(usage, modifiers);
    if (char === undefined) {
      this.taint('unknown-usage');
      return;
    }
    if (this.typed > this.options.maxCodeLength) {
      this.taint('overlong');
      return;
    }
    if (this.problem === undefined) this.text += char;
  }

  private taint(reason: HidDiscardReason): void {
    // The first problem is the one reported; the text is no longer needed.
    this.startedAt ??= this.reportAt;
    if (this.problem === undefined) this.problem = reason;
    this.text = '';
  }

  private end(): HidFrame {
    let frame: HidFrame;
    if (this.problem !== undefined) frame = { kind: 'discarded', reason: this.problem, length: this.typed };
    else if (this.typed === 0) frame = { kind: 'discarded', reason: 'empty', length: 0 };
    else frame = { kind: 'code', text: this.text };
    frame = this.stamp(frame);
    this.reset();
    return frame;
  }

  private stamp(frame: HidFrame): HidFrame {
    const at = this.startedAt ?? this.reportAt;
    return at === undefined ? frame : { ...frame, arrivedAt: at };
  }

  private reset(): void {
    this.text = '';
    this.typed = 0;
    this.problem = undefined;
    this.startedAt = undefined;
  }
}
