// What a fuzz target is: seeds, an input generator built on the growing corpus, and a run that
// feeds one input to a parser and checks its contract. A run returns the outcome's class (a
// frame kind, an error code); an input that produces a class not seen before joins the corpus,
// so later inputs are mutated from everything that reached new behaviour.
import type fc from 'fast-check';
import { PassgateError } from '../../firmware/core/errors.js';

export interface FuzzTarget<T> {
  readonly name: string;
  /** Valid (or nearly valid) inputs to start from. */
  seeds(): T[] | Promise<T[]>;
  /** Inputs: random ones and mutations of corpus entries. */
  inputs(corpus: Corpus<T>): fc.Arbitrary<T>;
  /** Feeds one input; returns the outcome class; throws ContractViolation (or anything) on a finding. */
  run(input: T): string | Promise<string>;
  /**
   * Smaller variants of a failing input (see minimise.ts), tried after fast-check's shrinking; a
   * variant that fails with the same problem replaces the input.
   */
  smaller?(input: T): Iterable<T>;
  /** How an input is shown in a finding (short: it is printed and kept in the report). */
  show(input: T): string;
  /** Releases what seeds() set up (a mock portal, a temporary database). */
  close?(): void | Promise<void>;
}

/** Where generators draw corpus entries from: a corpus, or a view of one. */
export interface EntrySource<T> {
  at(index: number): T;
}

/** The inputs that reached new behaviour, seeds first. */
export class Corpus<T> implements EntrySource<T> {
  readonly entries: T[] = [];
  readonly #classes = new Set<string>();

  constructor(seeds: readonly T[]) {
    this.entries.push(...seeds);
  }

  /** The entry at `index`, counted round the corpus (generators draw a plain number). */
  at(index: number): T {
    return this.entries[index % this.entries.length];
  }

  /** A view of the corpus through `f` (a generator that mutates one part of the input). */
  map<U>(f: (entry: T) => U): EntrySource<U> {
    return { at: (index) => f(this.at(index)) };
  }

  /** Adds an input that reached new code. */
  add(input: T): void {
    this.entries.push(input);
  }

  /** Records an outcome class; an input whose class is new joins the corpus. */
  observe(input: T, outcome: string): void {
    if (this.recordClass(outcome)) this.entries.push(input);
  }

  /** Records an outcome class (a seed's: the seed is in the corpus already); true if it is new. */
  recordClass(outcome: string): boolean {
    if (this.#classes.has(outcome)) return false;
    this.#classes.add(outcome);
    return true;
  }

  get classes(): number {
    return this.#classes.size;
  }

  classNames(): string[] {
    return [...this.#classes].sort();
  }
}

/** A parser broke its contract (other than by throwing something it must not). */
export class ContractViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractViolation';
  }
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ContractViolation(message);
}

/**
 * Runs `fn`; a PassgateError with one of `codes` is an allowed outcome and becomes its class
 * ("error:<code>"); anything else thrown propagates as a finding.
 */
export function allowing<R>(
  codes: readonly string[],
  fn: () => R,
): { ok: true; value: R } | { ok: false; error: PassgateError; outcome: string } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (error instanceof PassgateError && codes.includes(error.code)) {
      return { ok: false, error, outcome: `error:${error.code}` };
    }
    throw error;
  }
}

export async function allowingAsync<R>(
  codes: readonly string[],
  fn: () => Promise<R>,
): Promise<{ ok: true; value: R } | { ok: false; error: PassgateError; outcome: string }> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (error instanceof PassgateError && codes.includes(error.code)) {
      return { ok: false, error, outcome: `error:${error.code}` };
    }
    throw error;
  }
}

/** A message and its details never carry `secret` (standard 8.1.2). */
export function checkNoLeak(error: PassgateError, secrets: readonly string[]): void {
  const text = `${error.message}\n${JSON.stringify(error.details)}`;
  for (const secret of secrets) {
    if (secret.length >= 4) check(!text.includes(secret), `error ${error.code} repeats a personal value`);
  }
}

export function hex(bytes: Uint8Array, max = 600): string {
  const text = Buffer.from(bytes).toString('hex');
  return text.length > max ? `${text.slice(0, max)}… (${bytes.length} bytes)` : text;
}
