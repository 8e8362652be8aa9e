// `npm run soak`: the soak and chaos run of issue 13. A fleet of gates (the built daemon, real
// serial drivers on socat ptys, the file-GPIO backend, a systemd-like supervisor) scans against
// the mock portal while faults are injected; at the end a table (and with --json one JSON object
// as the last line; with --report DIR a Markdown report with SVG plots).
//
// Ctrl-C ends the scanning early and still tears everything down (namespaces included) and
// reports; a second Ctrl-C exits at once (the exit handler still removes the namespaces).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TIMEOUTS } from '../../firmware/core/timeouts.js';
import { QUIET_MS, runSoak, WARMUP_MS } from './run-soak.js';
import { soakJson, soakMetrics } from './soak-metrics.js';
import { parseSoakArgs, SOAK_USAGE, type SoakOptions, SoakUsageError, TEARDOWN_RESERVE_MS } from './soak-options.js';
import { acceptanceChecks, markdownReport, reportCharts, summaryTable } from './soak-report.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${SOAK_USAGE}\n`);
    return 0;
  }
  let options: SoakOptions;
  try {
    options = parseSoakArgs(argv);
  } catch (error) {
    if (!(error instanceof SoakUsageError)) throw error;
    process.stderr.write(`soak: ${error.message}\n\n${SOAK_USAGE}\n`);
    return 2;
  }
  let aborted = false;
  const onInt = () => {
    if (aborted) process.exit(130);
    aborted = true;
    process.stderr.write('\nsoak: stopping early (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onInt);
  // Node skips 'exit' handlers on an uncaught error: exit explicitly, so that the handlers kill
  // every process the soak started and remove its namespaces.
  const fatal = (error: unknown) => {
    process.stderr.write(`soak: failed: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  const log = (line: string) => process.stderr.write(`soak: ${line}\n`);
  const run = await runSoak(options, REPO, { log, aborted: () => aborted });
  const metrics = soakMetrics({
    t0: run.t0,
    t1: run.t1,
    warmupMs: run.warmupMs,
    quietMs: QUIET_MS,
    scans: run.scans,
    decisions: run.decisions,
    faults: run.faults,
    idleProbes: run.idleProbes,
    fourGWindows: run.fourGWindows,
    outputChecks: run.outputChecks,
    gates: run.gates,
    privacyHits: run.privacy.hits.length,
    load: run.load,
    upAt: run.upAt,
    soakCpuMs: run.soakCpuMs,
    socatCpuMs: run.socatCpuMs,
    portalSamples: run.portalSamples,
  });
  const json = soakJson(metrics, {
    gates: options.gates,
    durationS: (run.t1 - run.t0) / 1000,
    totalS: (Date.now() - run.startedAt) / 1000,
    setupS: run.setupMs / 1000,
    network: run.environment.network,
    privacyHits: run.privacy.hits.length,
  });
  const checks = acceptanceChecks(json, DEFAULT_TIMEOUTS.verifyDeadlineMs);
  if (options.reportDir) {
    const dir = resolve(options.reportDir);
    mkdirSync(dir, { recursive: true });
    const charts = reportCharts({
      t0: run.t0,
      t1: run.t1,
      metrics,
      faults: run.faults,
      gates: run.gates,
      throttle: run.throttle,
    });
    for (const [name, svg] of Object.entries(charts)) writeFileSync(join(dir, name), svg);
    const notes = [
      ...(run.aborted ? ['The run was stopped early with Ctrl-C.'] : []),
      `Restart rule read from firmware/systemd/passgate.service: Restart=${run.environment.rule.restart}, RestartSec=${run.environment.rule.restartSecMs / 1000} s, environment ${JSON.stringify(run.environment.rule.environment)}.`,
      `Setup (build, namespaces, provisioning ${options.gates} gates, the portal, every daemon up and authorized once) took ${(run.setupMs / 1000).toFixed(0)} s; scanning ran ${((run.t1 - run.t0) / 1000).toFixed(0)} s${options.durationMs === null ? ` (the ${options.budgetMs / 60_000} min budget less the setup and ${TEARDOWN_RESERVE_MS / 1000} s for the teardown and this report)` : ''}. The first ${WARMUP_MS / 1000} s and the last ${QUIET_MS / 1000} s had no faults; the schedule comes from seed ${options.seed}. From the end of scanning to this report (fault grace, stopping the fleet, the privacy search) took ${((Date.now() - run.t1) / 1000).toFixed(0)} s.`,
    ];
    writeFileSync(
      join(dir, 'README.md'),
      markdownReport({
        date: new Date(run.startedAt).toISOString(),
        command: `npm run soak -- ${argv.join(' ')}`.trim(),
        environment: {
          network: run.environment.network,
          cpus: run.environment.cpus,
          node: run.environment.node,
          kernel: run.environment.kernel,
          restart: `Restart=${run.environment.rule.restart}, RestartSec=${run.environment.rule.restartSecMs / 1000} s`,
        },
        json,
        checks,
        metrics,
        t0: run.t0,
        faults: run.faults,
        schedule: run.schedule,
        privacy: run.privacy,
        notes,
      }),
    );
    log(`report written to ${dir}`);
  }
  process.stdout.write(`${summaryTable(json, checks)}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(json)}\n`);
  // Exit now: a fault procedure cut short at the end may still hold a timer.
  process.exit(checks.every((c) => c.ok !== false) ? 0 : 1);
}
