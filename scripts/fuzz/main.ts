// `npm run fuzz`: every parser fed from outside, fuzzed for a time budget each (fast-check inputs
// mutated from a corpus that grows with new behaviour; see docs/reliability/FUZZ.md). Each target
// runs in a process of its own (heap cap, hang watchdog). Prints a table, each finding with its
// minimised input and the command that reruns it, and with --json one JSON object as the last line. Exits 1
// when anything was found.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUZZ_USAGE, FuzzUsageError, parseFuzzArgs } from './fuzz-options.js';
import { fuzzFindingLines, fuzzJson, fuzzTable } from './fuzz-report.js';
import { runTargetInChild } from './run-child.js';
import type { TargetResult } from './run-target.js';
import { FUZZ_TARGET_NAMES, FUZZ_TARGETS } from './targets/index.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${FUZZ_USAGE}\n`);
    return 0;
  }
  let options: ReturnType<typeof parseFuzzArgs>;
  try {
    options = parseFuzzArgs(argv, FUZZ_TARGET_NAMES);
  } catch (error) {
    if (!(error instanceof FuzzUsageError)) throw error;
    process.stderr.write(`fuzz: ${error.message}\n\n${FUZZ_USAGE}\n`);
    return 2;
  }
  if (options.list) {
    for (const name of FUZZ_TARGET_NAMES) process.stdout.write(`${name.padEnd(22)} ${FUZZ_TARGETS[name].about}\n`);
    return 0;
  }
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const targets = options.only ?? FUZZ_TARGET_NAMES;
  let childPid: number | undefined;
  let stopping = false;
  const onSignal = () => {
    stopping = true;
    if (childPid !== undefined) process.kill(childPid, 'SIGKILL');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stderr.write(`fuzz: ${targets.length} target(s), ${options.seconds} s each, seed ${seed}\n`);
  const results: TargetResult[] = [];
  for (const target of targets) {
    if (stopping) break;
    const result = await runTargetInChild({
      repo: REPO,
      target,
      budgetMs: options.seconds * 1000,
      seed,
      classesOnly: !options.coverage,
      onStart: (pid) => {
        childPid = pid;
      },
    });
    childPid = undefined;
    results.push(result);
    process.stderr.write(
      `fuzz: ${target}: ${result.executions} executions, ${result.findings.length} finding(s), corpus ${result.corpus}\n`,
    );
  }
  process.stdout.write(`${fuzzTable(results)}\n`);
  if (options.verbose) {
    for (const r of results) process.stdout.write(`${r.target} reached: ${r.classNames.join(' ')}\n`);
  }
  for (const line of fuzzFindingLines(results)) process.stdout.write(`${line}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(fuzzJson(results, options.seconds, seed))}\n`);
  if (stopping) return 130;
  return results.some((r) => r.findings.length > 0) ? 1 : 0;
}
