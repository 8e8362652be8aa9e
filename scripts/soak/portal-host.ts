// The soak's side of its portal process (portal-process.ts): starts it (inside the portal's
// namespace when there is one), sends it faults, kills and restarts it for the "portal restart"
// fault, and once it has stopped for good reads the decisions it wrote. A restarted portal loads
// the same state directory and listens on the same address, with its sessions gone, as a real
// portal after a crash.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutcomeKind } from '../../firmware/core/outcome.js';
import type { GatePolicy } from '../../firmware/gate/model.js';
import type { FaultSettings } from '../../portal-client/mock/faults.js';
import type { MockPortalStats } from '../../portal-client/mock/server.js';
import { LineChild } from './line-child.js';
import type { DecisionLine, PortalHello } from './portal-process.js';

export interface PortalHostOptions {
  dir: string;
  host: string;
  port: number;
  tlsHosts: string[];
  secret: Buffer;
  policy: Pick<GatePolicy, 'natPolicy' | 'vaccinationPolicy'>;
  /** argv prefix that runs a command inside the portal's namespace ([] without namespaces). */
  exec: string[];
  /** The portal process as built by helper-bundle.ts. */
  entry: string;
  logDir: string;
}

export interface PortalDecisionNote {
  venueCode: string;
  key: string;
  outcome: OutcomeKind;
  tampered: boolean;
  at: number;
}

/**
 * The portal is a server, not a device: a young generation of 16 MB instead of V8's default
 * halves its scavenges under a fleet's requests (each request's buffers and JSON die young).
 */
const PORTAL_NODE_FLAGS = ['--max-semi-space-size=16'];

export class PortalHost {
  private child: LineChild | null = null;
  url = '';
  starts = 0;
  /** Every run of the portal appends its decisions here. */
  readonly decisionsFile: string;

  constructor(private readonly o: PortalHostOptions) {
    this.decisionsFile = join(o.logDir, 'portal-decisions.jsonl');
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async start(): Promise<string> {
    const child = new LineChild(
      [
        ...this.o.exec,
        process.execPath,
        ...PORTAL_NODE_FLAGS,
        ...(process.env.SOAK_PORTAL_CPU_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SOAK_PORTAL_CPU_PROF}`]
          : []),
        this.o.entry,
      ],
      {
        stderrLog: join(this.o.logDir, 'portal.stderr.log'),
        onLine: () => undefined, // only replies and `ready`, which LineChild itself awaits
      },
    );
    this.child = child;
    const ready = child.waitFor('ready', 60_000);
    const hello: PortalHello = {
      dir: this.o.dir,
      host: this.o.host,
      port: this.o.port,
      tlsHosts: this.o.tlsHosts,
      secretHex: this.o.secret.toString('hex'),
      decisionsFile: this.decisionsFile,
      policy: this.o.policy,
    };
    child.send(hello);
    this.url = String((await ready).url);
    this.starts++;
    return this.url;
  }

  /** The portal crashes: SIGKILL, no goodbye to any connection. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await child.exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await child.exited;
    clearTimeout(timer);
  }

  /**
   * The decisions of every run of the portal so far, in order; read after stop(). A line a kill
   * cut short (never seen: one write each) is counted in `unreadable`, not guessed at.
   */
  decisions(): { notes: PortalDecisionNote[]; unreadable: number } {
    let text: string;
    try {
      text = readFileSync(this.decisionsFile, 'utf8');
    } catch {
      return { notes: [], unreadable: 0 };
    }
    return parseDecisionLines(text);
  }

  private request<T>(message: object): Promise<T> {
    if (!this.child) return Promise.reject(new Error('the portal is not running'));
    return this.child.request<T>(message);
  }

  setFaults(patch: Partial<FaultSettings>): Promise<FaultSettings> {
    return this.request({ op: 'faults', patch });
  }

  clearFaults(): Promise<FaultSettings> {
    return this.request({ op: 'clear-faults' });
  }

  expireTokens(): Promise<void> {
    return this.request({ op: 'expire-tokens' });
  }

  stats(): Promise<MockPortalStats> {
    return this.request({ op: 'stats' });
  }

  /** The venue the portal has the device bound to (null: none). */
  binding(deviceId: string): Promise<{ venueCode: string | null }> {
    return this.request({ op: 'binding', deviceId });
  }

  /** The portal moves a device to another venue (its next authorize tells the device). */
  rebind(deviceId: string, venueCode: string): Promise<{ venueCode: string }> {
    return this.request({ op: 'rebind', deviceId, venueCode });
  }
}

/** The decision file's lines as notes. Pure. */
export function parseDecisionLines(text: string): { notes: PortalDecisionNote[]; unreadable: number } {
  const notes: PortalDecisionNote[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let d: Partial<DecisionLine>;
    try {
      d = JSON.parse(line) as Partial<DecisionLine>;
    } catch {
      unreadable++;
      continue;
    }
    if (typeof d.v !== 'string' || typeof d.k !== 'string' || typeof d.o !== 'string' || typeof d.at !== 'number') {
      unreadable++;
      continue;
    }
    notes.push({ venueCode: d.v, key: d.k, outcome: d.o as OutcomeKind, tampered: d.x === 1, at: d.at });
  }
  return { notes, unreadable };
}
