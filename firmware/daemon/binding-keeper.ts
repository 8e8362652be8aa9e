// The daemon's side of the binding: `passgate bind --scan` leaves a request in config, the
// daemon answers it there once the scanned venue code is bound (or not), and the portal's word
// at authorize corrects a stale local copy. Every write of the binding itself goes through
// binding-settings.ts.
import { randomUUID } from 'node:crypto';
import type { VenueInfo } from '../../portal-client/protocol/messages.js';
import type { ConfigStore } from '../config/store.js';
import type { BindMode } from '../gate/model.js';
import type { GateRunnerOptions } from '../gate/runner.js';
import { type BindingSummary, boundSettings, storedBinding, unboundSettings } from './binding-settings.js';

/** How a bind or rebind in the daemon ended, as the runner reports it. */
export type BindFinished = Parameters<NonNullable<GateRunnerOptions['onBindFinished']>>[0];

export class BindingKeeper {
  constructor(private readonly store: ConfigStore) {}

  isBound(): boolean {
    return this.store.get('binding.venueCode') !== '';
  }

  summary(): BindingSummary | null {
    return storedBinding(this.store);
  }

  /** The portal's word on the binding wins over a stale local copy. */
  reconcile(venue: VenueInfo | null): void {
    const local = this.store.get('binding.venueCode');
    if (venue === null) {
      if (local !== '') this.store.setMany(unboundSettings());
      return;
    }
    // Learnt at authorize, not bound by us: the time we learnt it is the best time we have. The
    // same venue with other presets (a NAT window the venue changed) is written too.
    const learnt = boundSettings(venue, new Date());
    const differs = (Object.keys(learnt) as Array<keyof typeof learnt>).some(
      (key) => key !== 'binding.boundAt' && this.store.get(key) !== learnt[key],
    );
    if (differs) this.store.setMany(learnt);
  }

  /** The bind mode the CLI asked for and the id to answer it under; null when nothing is asked. */
  scanRequest(): { mode: BindMode; requestId: string } | null {
    const mode = this.store.get('binding.scanRequest');
    if (mode === '') return null;
    return { mode, requestId: this.store.get('binding.scanRequestId') || randomUUID() };
  }

  /** Saves a bind by scan and answers the CLI waiting for it (binding.scanResult). */
  recordScanBind(result: BindFinished): void {
    if (result.ok) {
      this.store.setMany({
        ...boundSettings(result.venue, new Date()),
        'binding.scanRequest': '',
        'binding.scanResult': {
          requestId: result.bindRequestId,
          ok: true,
          venueName: result.venue.name,
          venueCategory: result.venue.category,
        },
      });
    } else {
      this.store.setMany({
        'binding.scanRequest': '',
        'binding.scanResult': { requestId: result.bindRequestId, ok: false, errorCode: result.code },
      });
    }
  }
}
