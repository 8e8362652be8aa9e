// What a conformance check is: a name, the PROTOCOL.md section whose rule it checks, and a run
// that throws a CheckFailure when the portal (or the kit's own protocol code) breaks the rule, or
// CheckSkipped when the run lacks what the check needs (say, admin access to suspend a vendor).
import type { ConformanceContext } from './context.js';

export interface ConformanceCheck {
  /** Stable name, `area.what`: tests and vendors refer to a check by it. */
  id: string;
  /** The PROTOCOL.md section(s) of the rule, e.g. `§5`. */
  section: string;
  /** One line: what the portal must do. */
  title: string;
  run(ctx: ConformanceContext): Promise<void>;
}

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckOutcome {
  id: string;
  section: string;
  title: string;
  status: CheckStatus;
  /** Why it failed or was skipped; null for a pass. Names fields and codes, never values. */
  detail: string | null;
}

/** The rule is broken: `message` says what was expected and what came. */
export class CheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailure';
  }
}

/** The check cannot run in this setting; `message` says what it needs. */
export class CheckSkipped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckSkipped';
  }
}

export function fail(message: string): never {
  throw new CheckFailure(message);
}

export function expectThat(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailure(message);
}

/** Runs each check in order; one check's failure never stops the next. */
export async function runChecks(
  checks: readonly ConformanceCheck[],
  ctx: ConformanceContext,
  onOutcome: (outcome: CheckOutcome) => void = () => undefined,
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const check of checks) {
    const base = { id: check.id, section: check.section, title: check.title };
    let outcome: CheckOutcome;
    try {
      await check.run(ctx);
      outcome = { ...base, status: 'pass', detail: null };
    } catch (error) {
      if (error instanceof CheckSkipped) outcome = { ...base, status: 'skip', detail: error.message };
      else if (error instanceof CheckFailure) outcome = { ...base, status: 'fail', detail: error.message };
      else outcome = { ...base, status: 'fail', detail: `no answer to check: ${describeError(error)}` };
    }
    outcomes.push(outcome);
    onOutcome(outcome);
  }
  return outcomes;
}

/** An unexpected error's kind and code, not its message (a message could echo anything). */
function describeError(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown };
  const code = typeof e?.code === 'string' ? ` ${e.code}` : '';
  return `${typeof e?.name === 'string' ? e.name : typeof error}${code}`;
}
