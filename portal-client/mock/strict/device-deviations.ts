// What `serve --strict` found wrong with what a device sent: one record per deviation from
// PROTOCOL.md, with the section and a stable rule name, counted by rule and kept (the latest
// ones) for `passgate-mock deviations`. A detail names fields, never their values: a body may
// hold a pass code, a name or an ID number.

export interface DeviceDeviation {
  /** Stable name of the rule broken, `area.rule` (STRICT_RULES). */
  rule: StrictRule;
  /** The PROTOCOL.md section(s) that state it. */
  section: string;
  /** The request's path. */
  path: string;
  /** What was wrong, by field name. */
  detail: string;
}

/** Every rule `--strict` checks, with its section. */
export const STRICT_RULES = {
  'http.method': '§3',
  'http.content-type': '§3',
  'http.path': '§3',
  'http.size': '§3',
  'json.syntax': '§3',
  'json.serialisation': '§3',
  'json.field-order': '§3',
  'authorize.shape': '§1 §3 §4',
  'authorize.algorithms': '§1 §4',
  'sealed.authorization': '§3 §5',
  'envelope.shape': '§3 §5',
  'envelope.base64': '§5',
  'envelope.freshness': '§5',
  'envelope.nonce-reused': '§5',
  'envelope.mac': '§5',
  'body.decrypt': '§5',
  'body.shape': '§3 §6 §7',
  'bind.signature': '§6',
} as const;

export type StrictRule = keyof typeof STRICT_RULES;

export function deviation(rule: StrictRule, path: string, detail: string): DeviceDeviation {
  return { rule, section: STRICT_RULES[rule], path, detail };
}

export interface DeviationSnapshot {
  total: number;
  byRule: Partial<Record<StrictRule, number>>;
  /** The latest deviations, oldest first. */
  recent: DeviceDeviation[];
}

/** How many deviations the log keeps whole; the counters go on counting. */
const RECENT_KEPT = 100;

export class DeviationLog {
  #total = 0;
  #byRule: Partial<Record<StrictRule, number>> = {};
  #recent: DeviceDeviation[] = [];

  record(d: DeviceDeviation): void {
    this.#total += 1;
    this.#byRule[d.rule] = (this.#byRule[d.rule] ?? 0) + 1;
    this.#recent.push(d);
    if (this.#recent.length > RECENT_KEPT) this.#recent.shift();
  }

  snapshot(): DeviationSnapshot {
    return { total: this.#total, byRule: { ...this.#byRule }, recent: this.#recent.map((d) => ({ ...d })) };
  }

  reset(): void {
    this.#total = 0;
    this.#byRule = {};
    this.#recent = [];
  }
}
