// A fuzz child whose memory grows without bound (a parser that keeps every byte), for the heap
// cap test.
export function main(): number {
  const kept: number[][] = [];
  for (let i = 0; ; i++) {
    kept.push(Array.from({ length: 10_000 }, (_, j) => i + j));
    if (i % 100 === 0) process.stdout.write(`${JSON.stringify({ progress: i })}\n`);
  }
}
