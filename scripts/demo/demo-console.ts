// The demo's terminal: a prompt on a line of its own, below the gate's display. On a TTY the
// display keeps a live line of the five outputs (ui-led/backends/terminal.ts) and redraws it in
// place; typed text echoed onto that line would garble it. So the prompt and the text being
// typed live on the line below: before the display draws, the prompt line is cleared and the
// cursor goes back up to the live line; after it, the prompt is drawn again with what was typed
// so far (readline keeps that). Piped (tests, scripts), there is no live line and no echo: the
// prompt is printed after each command, and anything else starts on a fresh line.

import { createInterface, type Interface } from 'node:readline';
import { PassThrough, type Readable } from 'node:stream';
import type { TerminalStream } from '../../ui-led/backends/terminal.js';

export const PROMPT = 'passgate> ';

const CLEAR_LINE = '\r\x1b[2K';
const CURSOR_UP = '\x1b[1A';

export interface ConsoleOutput extends TerminalStream {
  write(chunk: string): boolean;
}

export class DemoConsole {
  /** Each typed line, newline-terminated, for the keyboard scanner to read. */
  readonly lines: Readable;
  /** The stream the gate's display draws on. */
  readonly displayStream: TerminalStream;
  private readonly readline: Interface | undefined;
  /** The display's live line as last drawn, while it is the line right above the prompt; else ''. */
  private liveLine = '';
  /** The prompt is on screen as the last line (piped: the end of the output so far). */
  private promptShown = false;

  constructor(
    input: Readable,
    private readonly output: ConsoleOutput,
  ) {
    const tty = output.isTTY === true && (input as { isTTY?: boolean }).isTTY === true;
    const lines = new PassThrough();
    this.lines = lines;
    this.displayStream = {
      isTTY: output.isTTY,
      write: (chunk: string) => {
        this.draw(chunk, true);
        return true;
      },
    };
    if (tty) {
      const readline = createInterface({ input, output: output as NodeJS.WritableStream, prompt: PROMPT });
      this.readline = readline;
      readline.on('line', (line) => {
        // Enter left the typed line on screen and the cursor below it: the live line is no
        // longer right above, and the next draw starts on this fresh line.
        this.promptShown = false;
        this.liveLine = '';
        lines.write(`${line}\n`);
        this.prompt();
      });
      readline.on('close', () => lines.end());
    } else {
      input.pipe(lines);
      this.endInput = () => {
        input.unpipe(lines);
        lines.end();
      };
    }
  }

  /** Ends the typed lines, as Ctrl-D does (`quit`). */
  endInput: () => void = () => this.readline?.close();

  /** Text for the person at the demo (help, timings), above the prompt. */
  print(text: string): void {
    this.draw(text.endsWith('\n') ? text : `${text}\n`, false);
  }

  /** Shows the prompt (again), with whatever was typed so far on a TTY. */
  prompt(): void {
    if (this.readline) this.readline.prompt(true);
    else if (!this.promptShown) this.output.write(PROMPT);
    this.promptShown = true;
  }

  /** A typed line was handled: piped, the prompt comes back now (on a TTY readline did it). */
  lineHandled(): void {
    if (!this.readline) this.prompt();
  }

  close(): void {
    this.readline?.close();
    if (this.promptShown && !this.readline) this.output.write('\n');
    this.promptShown = false;
  }

  private draw(chunk: string, fromDisplay: boolean): void {
    if (!this.readline) {
      // Piped: no live line and no echo; only keep the output off the prompt's line.
      if (this.promptShown) this.output.write('\n');
      this.promptShown = false;
      this.output.write(chunk);
      return;
    }
    // Clear the prompt line and step up onto the live line: what is drawn now replaces both.
    let out = this.promptShown ? CLEAR_LINE : '';
    if (this.promptShown && this.liveLine) out += CURSOR_UP + CLEAR_LINE;
    out += chunk;
    if (fromDisplay) {
      this.liveLine = chunk.endsWith('\n') ? '' : chunk.slice(chunk.lastIndexOf('\n') + 1);
    } else if (this.liveLine) {
      out += this.liveLine; // the demo's own text goes above the live line, drawn again below it
    }
    if (this.liveLine) out += '\n';
    this.output.write(out);
    this.promptShown = false;
    this.prompt();
  }
}
