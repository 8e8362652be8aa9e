// The daemon's side of the binding: it saves a bind by scan, and takes the portal's word at
// authorize over a stale local copy. Every write of the binding itself goes through
// binding-settings.ts. A save that fails (the database is full or locked) is logged with its
// cause and never thrown into a promise chain: the portal's answer must not take the gate down.
import type { VenueInfo } from '../../portal-client/protocol/messages.js';
import type { ConfigStore } from '../config/store.js';
import { isPassgateError, PassgateError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { GateRunnerOptions } from '../gate/runner.js';
import { type BindingSummary, boundSettings, storedBinding, unboundSettings } from './binding-settings.js';

/** How a bind or rebind in the daemon ended, as the runner reports it. */
export type BindFinished = Parameters<NonNullable<GateRunnerOptions['onBindFinished']>>[0];

export class BindingKeeper {
  constructor(
    private readonly store: ConfigStore,
    private readonly logger: Logger,
  ) {}

  isBound(): boolean {
    return this.store.get('binding.venueCode') !== '';
  }

  summary(): BindingSummary | null {
    return storedBinding(this.store);
  }

  /**
   * The portal's word on the binding wins over a stale local copy. When it cannot be saved, the
   * gate goes on with what the portal said, and the next authorize tries the save again.
   */
  reconcile(venue: VenueInfo | null): void {
    this.save('reconcile', () => {
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
    });
  }

  /** Saves a bind by scan; returns why it could not be saved, or null once saved. */
  saveBound(venue: VenueInfo): PassgateError | null {
    return this.save('bind', () => this.store.setMany(boundSettings(venue, new Date())));
  }

  private save(action: 'bind' | 'reconcile', write: () => void): PassgateError | null {
    try {
      write();
      return null;
    } catch (error) {
      const failure = isPassgateError(error)
        ? error
        : new PassgateError('config.storage', 'the binding could not be saved', {}, { cause: error });
      // A PassgateError's message holds no personal data (errors.ts), and venue data is none.
      this.logger.log('error', 'binding-save-failed', { action, code: failure.code, message: failure.message });
      return failure;
    }
  }
}
