// The read sequence of a GA 467 reader: find card (20 01) → select (20 02) → read text and photo
// (30 01). The photo is zeroed where it was received; only card type, name and number come out.
import type { IdCardIdentity } from '../../firmware/core/id-number.js';
import type { SamClient } from './sam-client.js';
import { SW3 } from './status.js';
import { parseAndWipeTextBlock, takeTextAndWipePhoto } from './text-block.js';

/** True if a card is in the field (SW3 9F), false for "no card" (80). Other SW3 reject. */
export async function findCard(client: SamClient): Promise<boolean> {
  const reply = await client.command('findCard', [SW3.findOk, SW3.findFailed]);
  reply.data.fill(0);
  return reply.sw3 === SW3.findOk;
}

/**
 * Selects the found card and reads it. Rejects with 'driver.card-status' (details.sw3) for a
 * failed select or read, 'driver.timeout', 'driver.frame-invalid', or 'driver.card-invalid'
 * for a text block that does not parse or an ID number whose check digit is wrong.
 */
export async function readIdentity(client: SamClient): Promise<IdCardIdentity> {
  const selected = await client.command('selectCard', [SW3.ok]);
  selected.data.fill(0);
  const read = await client.command('readTextAndPhoto', [SW3.ok]);
  const text = takeTextAndWipePhoto(read);
  return parseAndWipeTextBlock(text);
}
