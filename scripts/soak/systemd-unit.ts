// The restart rule of firmware/systemd/passgate.service, read from the unit file itself so the
// soak's supervisor restarts the daemon exactly as systemd would on a device. Pure.

export type RestartPolicy = 'no' | 'always' | 'on-success' | 'on-failure' | 'on-abnormal' | 'on-abort';

export interface RestartRule {
  restart: RestartPolicy;
  restartSecMs: number;
  /** The unit's Environment= assignments. */
  environment: Record<string, string>;
}

const POLICIES: readonly RestartPolicy[] = ['no', 'always', 'on-success', 'on-failure', 'on-abnormal', 'on-abort'];

/** systemd's time span: "2", "2s", "500ms", "1min", "1min 30s". */
export function parseTimeSpanMs(text: string): number {
  const units: Record<string, number> = { '': 1000, s: 1000, sec: 1000, ms: 1, min: 60_000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const parts = text.trim().split(/\s+/);
  for (const part of parts) {
    const m = /^(\d+(?:\.\d+)?)([a-z]*)$/.exec(part);
    if (!m || !(m[2] in units)) throw new Error(`unsupported time span: ${text}`);
    total += Number(m[1]) * units[m[2]];
  }
  return total;
}

/** The [Service] section's Restart=, RestartSec= (systemd's defaults where absent: no, 100 ms) and Environment=. */
export function parseRestartRule(unitText: string): RestartRule {
  let section = '';
  let restart: RestartPolicy = 'no';
  let restartSecMs = 100;
  const environment: Record<string, string> = {};
  for (const raw of unitText.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1];
      continue;
    }
    if (section !== 'Service') continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'Restart') {
      if (!(POLICIES as readonly string[]).includes(value)) throw new Error(`unsupported Restart=${value}`);
      restart = value as RestartPolicy;
    } else if (key === 'RestartSec') restartSecMs = parseTimeSpanMs(value);
    else if (key === 'Environment') {
      // Space-separated assignments, each optionally in double quotes.
      for (const m of value.matchAll(/"([^"]*)"|(\S+)/g)) {
        const assignment = m[1] ?? m[2];
        const at = assignment.indexOf('=');
        if (at > 0) environment[assignment.slice(0, at)] = assignment.slice(at + 1);
      }
    }
  }
  return { restart, restartSecMs, environment };
}

/** How the main process ended: an exit code, or the signal that killed it. */
export type ProcessEnd = { code: number; signal: null } | { code: null; signal: NodeJS.Signals };

/**
 * Whether systemd restarts the service after this end (systemd.service(5), "Restart="), the
 * service not having been stopped by the manager. The clean signals SIGHUP, SIGINT, SIGTERM and
 * SIGPIPE count as success.
 */
export function shouldRestart(policy: RestartPolicy, end: ProcessEnd): boolean {
  const cleanSignal = end.signal !== null && ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE'].includes(end.signal);
  const clean = end.code === 0 || cleanSignal;
  const unclean = end.signal !== null && !cleanSignal;
  const abort = end.signal === 'SIGABRT';
  switch (policy) {
    case 'no':
      return false;
    case 'always':
      return true;
    case 'on-success':
      return clean;
    case 'on-failure':
      return !clean;
    case 'on-abnormal':
      return unclean;
    case 'on-abort':
      return abort;
  }
}
