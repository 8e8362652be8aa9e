// What the update steps work with, injected: the install layout, the data directory, the crypto
// suite, the service manager and the timeouts, plus a hook called as each apply step is done
// (tests stop an apply there to kill it at a known point) and where progress lines go.
import type { CryptoSuite } from '../../portal-client/crypto/suite.js';
import type { TimeoutTable } from '../core/timeouts.js';
import type { InstallLayout } from './layout.js';
import type { ServiceControl } from './service-control.js';

/** The steps of `update apply`, in order; `current` moves at `switched`. */
export const APPLY_STEPS = [
  'verified',
  'extracted',
  'slot-installed',
  'database-backed-up',
  'state-written',
  'switched',
  'restarted',
] as const;
export type ApplyStep = (typeof APPLY_STEPS)[number];

export interface UpdateDeps {
  layout: InstallLayout;
  dataDir: string;
  crypto: CryptoSuite;
  service: ServiceControl;
  timeouts: TimeoutTable;
  /** Progress for the technician, one line each. */
  progress(line: string): void;
  /** Awaited after each apply step. */
  reached?(step: ApplyStep): Promise<void>;
}
