// Bind and rebind at the portal, for the CLI (`passgate bind <code>`) and the daemon (bind by
// scan) alike. A bind the portal refuses as ALREADY_BOUND is a success when the device is bound to
// this very venue: that is how a retry ends after a bind whose local save failed (the portal has
// the binding, the device's config does not), and the retry then saves it.
import type { PortalClient } from '../../portal-client/client.js';
import type { BindResult } from '../../portal-client/protocol/messages.js';
import { isPassgateError } from '../core/errors.js';
import type { BindMode } from '../gate/model.js';

export type BindingPortal = Pick<PortalClient, 'bind' | 'rebind' | 'authorize' | 'portalNow'>;

export async function bindAtPortal(portal: BindingPortal, mode: BindMode, venueCode: string): Promise<BindResult> {
  try {
    return mode === 'bind' ? await portal.bind(venueCode) : await portal.rebind(venueCode);
  } catch (error) {
    if (mode !== 'bind' || !isPassgateError(error, 'portal.already-bound')) throw error;
    // Authorize afresh: its answer is the portal's authenticated word on the binding.
    const { binding } = await portal.authorize();
    if (binding?.code !== venueCode) throw error;
    // When the portal bound it is not told again; the time we learnt it is the best we have.
    return { venue: binding, boundAt: portal.portalNow() };
  }
}
