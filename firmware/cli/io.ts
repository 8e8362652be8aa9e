// Where CLI commands write, one line at a time. Injected, so tests capture output without
// spawning processes.
export interface CommandOutput {
  stdout(line: string): void;
  stderr(line: string): void;
}

export const processOutput: CommandOutput = {
  stdout: (line) => process.stdout.write(line + '\n'),
  stderr: (line) => process.stderr.write(line + '\n'),
};
