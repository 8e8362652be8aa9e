// Minimising a failing input after fast-check's own shrinking. fast-check shrinks what it drew
// (fewer mutations, smaller numbers), but bytes that came from a corpus entry stay; these
// candidates cut them away: runs of halving length removed at every position, down to single
// bytes (a light delta debugging). The runner keeps a candidate when it fails the same way.

/** Shorter variants of `bytes`: chunks removed, largest first. */
export function* shorterBytes(bytes: Uint8Array): Generator<Uint8Array> {
  for (let size = bytes.length >> 1; size >= 1; size >>= 1) {
    for (let at = 0; at + size <= bytes.length; at += size) {
      const out = new Uint8Array(bytes.length - size);
      out.set(bytes.subarray(0, at), 0);
      out.set(bytes.subarray(at + size), at);
      yield out;
    }
  }
  if (bytes.length === 1) yield new Uint8Array(0);
}

/** Shorter variants of `text`, by code points. */
export function* shorterText(text: string): Generator<string> {
  const points = [...text];
  for (let size = points.length >> 1; size >= 1; size >>= 1) {
    for (let at = 0; at + size <= points.length; at += size) {
      yield [...points.slice(0, at), ...points.slice(at + size)].join('');
    }
  }
  if (points.length === 1) yield '';
}

/** Shorter variants of a list: elements removed, largest runs first. */
export function* shorterList<T>(items: readonly T[]): Generator<T[]> {
  for (let size = items.length >> 1; size >= 1; size >>= 1) {
    for (let at = 0; at + size <= items.length; at += size) yield [...items.slice(0, at), ...items.slice(at + size)];
  }
  if (items.length === 1) yield [];
}

/** Candidates for an input with one byte field: the same input around each shorter byte string. */
export function* withShorterBytes<T>(input: T, get: (input: T) => Uint8Array, set: (input: T, bytes: Uint8Array) => T) {
  for (const bytes of shorterBytes(get(input))) yield set(input, bytes);
}
