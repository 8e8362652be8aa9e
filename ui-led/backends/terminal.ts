// The gate's lights and words on a terminal, for the demo and for development: a coloured
// block and the opinion text per signal, and (on a TTY) a live line of the five outputs.
//
// Privacy: the masked name and ID are printed only when the stream is a TTY, i.e. a person
// is looking at a screen. Piped into a file or the journal the output is a log, and a log
// carries no personal data at all (standard 8.1.2), masked or not: only the opinion and the
// NAT/vaccination flags go there.
import type { SignalKind } from '../../firmware/core/outcome.js';
import { isMaskedIdNumber, isMaskedName } from '../../firmware/core/verdict.js';
import type { DisplayBackend } from '../backend.js';
import { type DisplayText, findingsLine } from '../display-text.js';
import { allOutputsOff, OUTPUT_NAMES, type OutputChanges, type OutputState } from '../outputs.js';

/** The part of a writable stream the backend uses; process.stdout fits. */
export interface TerminalStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  writable?: boolean;
}

export interface TerminalOptions {
  stream: TerminalStream;
  /** ANSI colours; default: only on a TTY. */
  colour?: boolean;
}

const ESC = '\x1b[';
const RESET = `${ESC}0m`;
const CLEAR_LINE = `\r${ESC}2K`;

type Tone = 'green' | 'red' | 'amber' | 'blue' | 'white';
const TONE_OF: Record<SignalKind, Tone> = {
  pass: 'green',
  'pass-with-notice': 'green',
  deny: 'red',
  'show-code': 'red',
  'check-skm': 'amber',
  'policy-deny': 'red',
  'not-bound': 'blue',
  'network-error': 'amber',
  'read-error': 'amber',
  'bind-mode': 'blue',
  'not-venue-code': 'red',
  'bind-ok': 'blue',
  'bind-failed': 'red',
  selftest: 'white',
  'input-dropped': 'blue',
};
const BACKGROUND: Record<Tone, string> = { green: '42', red: '41', amber: '43', blue: '44', white: '47' };
const FOREGROUND = { red: '31', green: '32', blue: '34' } as const;

export class TerminalBackend implements DisplayBackend {
  readonly name = 'terminal';
  private readonly stream: TerminalStream;
  private readonly tty: boolean;
  private readonly colour: boolean;
  private state: OutputState = allOutputsOff();
  private statusShown = false;

  constructor(options: TerminalOptions) {
    this.stream = options.stream;
    this.tty = options.stream.isTTY === true;
    this.colour = options.colour ?? this.tty;
  }

  async open(): Promise<void> {
    this.state = allOutputsOff();
  }

  async set(changes: OutputChanges): Promise<void> {
    for (const name of OUTPUT_NAMES) if (changes[name] !== undefined) this.state[name] = changes[name];
    // Blinks are for eyes on a screen; in a log they would be noise.
    if (!this.tty) return;
    this.write(`${CLEAR_LINE}${this.statusLine()}`);
    this.statusShown = true;
  }

  show(text: DisplayText): void {
    const tone = TONE_OF[text.kind];
    const block = this.colour ? `${ESC}${BACKGROUND[tone]}m      ${RESET}` : `[${tone.toUpperCase()}]`;
    const parts = [block, `${text.zh} ${text.en}`];
    const findings = findingsLine(text);
    if (findings) parts.push(findings);
    if (this.tty) {
      // Re-check the masking here too: whatever reaches a screen must be masked.
      if (text.maskedName && isMaskedName(text.maskedName)) parts.push(text.maskedName);
      if (text.maskedId && isMaskedIdNumber(text.maskedId)) parts.push(text.maskedId);
    }
    const prefix = this.tty && this.statusShown ? CLEAR_LINE : '';
    const status = this.tty ? this.statusLine() : '';
    this.write(`${prefix}${parts.join('  ')}\n${status}`);
  }

  async close(): Promise<void> {
    this.state = allOutputsOff();
    if (this.tty && this.statusShown) this.write(`${CLEAR_LINE}${this.statusLine()}\n`);
    this.statusShown = false;
  }

  private statusLine(): string {
    const lamp = (name: 'red' | 'green' | 'blue') => {
      const glyph = this.state[name] ? '●' : '○';
      return this.colour ? `${ESC}${FOREGROUND[name]}m${glyph}${RESET}` : glyph;
    };
    const flag = (label: string, on: boolean) =>
      on ? (this.colour ? `${ESC}7m${label}${RESET}` : label) : '-'.repeat(label.length);
    return `${lamp('red')}${lamp('green')}${lamp('blue')} ${flag('BEEP', this.state.buzzer)} ${flag('RELAY', this.state.relay)}`;
  }

  private write(chunk: string): void {
    if (this.stream.writable === false) return;
    try {
      this.stream.write(chunk);
    } catch {
      // A terminal that went away must not stop the gate.
    }
  }
}
