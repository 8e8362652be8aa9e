// Bind and rebind at the portal, for the CLI (`passgate bind <code>`) and the daemon (bind by
// scan) alike. A bind the portal refuses as ALREADY_BOUND is a success when the device is bound to
// this very venue: that is how a retry ends after a bind whose local save failed (the portal has
// the binding, the device's config does not), and how a technician who binds the venue the gate
// already has learns that all is well. Bound elsewhere, the refusal names the venue it is bound to.
import type { PortalClient } from '../../portal-client/client.js';
import type { BindResult } from '../../portal-client/protocol/messages.js';
import { isPassgateError, PassgateError } from '../core/errors.js';
import type { BindMode } from '../gate/model.js';

export type BindingPortal = Pick<PortalClient, 'bind' | 'rebind' | 'authorize' | 'portalNow'>;

export interface BindOutcome extends BindResult {
  /** True when the device was bound to this venue before: nothing changed at the portal. */
  alreadyBound: boolean;
}

export async function bindAtPortal(portal: BindingPortal, mode: BindMode, venueCode: string): Promise<BindOutcome> {
  try {
    const result = mode === 'bind' ? await portal.bind(venueCode) : await portal.rebind(venueCode);
    return { ...result, alreadyBound: false };
  } catch (error) {
    if (mode !== 'bind' || !isPassgateError(error, 'portal.already-bound')) throw error;
    // Authorize afresh: its answer is the portal's authenticated word on the binding.
    const { binding } = await portal.authorize();
    if (binding?.code !== venueCode) {
      // A venue code and name are the venue's sign, not anyone's personal data.
      throw new PassgateError(
        'portal.already-bound',
        error.message,
        { ...error.details, boundVenueCode: binding?.code, boundVenueName: binding?.name },
        { cause: error },
      );
    }
    // When the portal bound it is not told again; the time we learnt it is the best we have.
    return { venue: binding, boundAt: portal.portalNow(), alreadyBound: true };
  }
}
