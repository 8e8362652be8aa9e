// A typed listener list: what drivers, the player and the config store emit to, instead of an
// EventEmitter with untyped string events.

/** A small listener list, so drivers need not extend EventEmitter with untyped events. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  /** Every listener gets the value even when an earlier one throws; the first error is rethrown after. */
  emit(value: T): void {
    let failure: { error: unknown } | undefined;
    for (const listener of this.set) {
      try {
        listener(value);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  /** Like emit, but no listener's error reaches the emitter. */
  emitIgnoringFailures(value: T): void {
    try {
      this.emit(value);
    } catch {
      // A listener's failure is the listener's; the device that emitted keeps reading.
    }
  }
}
