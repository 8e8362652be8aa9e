// Where CLI commands write, one line at a time, and the little they read from the terminal.
// Injected, so tests capture output (and feed stdin, or pretend stderr is a terminal) without
// spawning processes.
export interface CommandOutput {
  stdout(line: string): void;
  stderr(line: string): void;
  /**
   * Set by main when the command line has --json: a failure then prints as one JSON object on
   * stdout instead of text on stderr (failures.ts), so scripts read one stream.
   */
  json?: boolean;
  /** All of standard input, for `--app-secret-file -`; absent: nothing can be read. */
  readStdin?(): Promise<string>;
  /** True when stderr is a terminal: progress is drawn only there, never into a log or a pipe. */
  stderrIsTTY?: boolean;
  /** Writes `text` to stderr as it is, without a newline (a progress line redrawn in place). */
  stderrRaw?(text: string): void;
}

export const processOutput: CommandOutput = {
  stdout: (line) => process.stdout.write(line + '\n'),
  stderr: (line) => process.stderr.write(line + '\n'),
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  },
  get stderrIsTTY() {
    return process.stderr.isTTY === true;
  },
  stderrRaw: (text) => process.stderr.write(text),
};

/** `passgate status | head` closes the pipe early: that is not an error worth a stack trace. */
export function exitQuietlyOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw error;
    });
  }
}
