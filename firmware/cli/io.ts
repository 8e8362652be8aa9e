// Where CLI commands write, one line at a time. Injected, so tests capture output without
// spawning processes.
export interface CommandOutput {
  stdout(line: string): void;
  stderr(line: string): void;
  /**
   * Set by main when the command line has --json: a failure then prints as one JSON object on
   * stdout instead of text on stderr (failures.ts), so scripts read one stream.
   */
  json?: boolean;
}

export const processOutput: CommandOutput = {
  stdout: (line) => process.stdout.write(line + '\n'),
  stderr: (line) => process.stderr.write(line + '\n'),
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
