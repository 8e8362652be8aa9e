// A fuzz child that reports progress once and then hangs in a synchronous loop (a parser stuck on
// an input), for the watchdog test.
export function main(): number {
  process.stdout.write(`${JSON.stringify({ progress: 1 })}\n`);
  for (;;) {
    // spin
  }
}
