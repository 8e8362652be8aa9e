// Synthetic residents of the mock portal and the directory that finds them. Every person here is
// made up: names from a short list of common characters, ID numbers with a valid GB 11643 check
// digit in Wuxi region codes. Residents are found by an opaque random reference (what a pass code
// carries) or by an exact (name, ID number) pair (what an ID card gives).
import { isAcceptedIdNumber, syntheticIdNumber } from '../../../firmware/core/id-number.js';
import type { SeededRandom } from './seeded-random.js';

export const SKM_COLOURS = ['green', 'yellow', 'red'] as const;
/** 苏康码 (Jiangsu health code) colour. */
export type SkmColour = (typeof SKM_COLOURS)[number];

export const NAT_RESULTS = ['negative', 'positive'] as const;
export type NatResult = (typeof NAT_RESULTS)[number];

export interface NatSample {
  /** ms since epoch. */
  sampledAt: number;
  result: NatResult;
}

export interface SkmStatus {
  colour: SkmColour;
  /** ms since epoch of the code's last update. */
  updatedAt: number;
}

export interface Resident {
  /** Opaque reference, 32 lower-case hex characters; never derived from the ID number. */
  ref: string;
  name: string;
  /** A number of some card type's format (isAcceptedIdNumber): GB 11643 or a foreigner's permit. */
  idNumber: string;
  /** null: the person has no 苏康码. */
  skm: SkmStatus | null;
  natSamples: NatSample[];
  vaccinationDoses: number;
  onControlList: boolean;
  onRedCodeList: boolean;
}

export const RESIDENT_REF_PATTERN = /^[0-9a-f]{32}$/;

export function isResidentRef(value: unknown): value is string {
  return typeof value === 'string' && RESIDENT_REF_PATTERN.test(value);
}

/** Wuxi (无锡) county-level region codes: 锡山, 惠山, 滨湖, 梁溪, 新吴, 江阴, 宜兴. */
export const WUXI_REGION_CODES = ['320205', '320206', '320211', '320213', '320214', '320281', '320282'] as const;

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '朱', '钱', '顾', '欧阳'];
const GIVEN_CHARACTERS = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '涛',
  '明',
  '超',
  '秀',
  '华',
  '平',
  '婷',
];

/** A synthetic name: a surname and one or two given-name characters. */
export function syntheticName(random: SeededRandom): string {
  const given = Array.from({ length: 1 + random.int(2) }, () => random.pick(GIVEN_CHARACTERS)).join('');
  return random.pick(SURNAMES) + given;
}

export interface ResidentHealth {
  skm: SkmStatus | null;
  natSamples: NatSample[];
  vaccinationDoses: number;
  onControlList: boolean;
  onRedCodeList: boolean;
}

/** A new synthetic person with the given health record; name, ID number and ref from `random`. */
export function syntheticResident(random: SeededRandom, health: ResidentHealth): Resident {
  return {
    ref: random.hex(16),
    name: syntheticName(random),
    idNumber: syntheticIdNumber({ random: () => random.fraction(), region: random.pick(WUXI_REGION_CODES) }),
    ...copyHealth(health),
  };
}

/** The shape checks the directory applies; false for anything that is not a usable resident. */
export function isResident(value: unknown): value is Resident {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const skm = r.skm as Record<string, unknown> | null | undefined;
  const skmOk =
    skm === null ||
    (typeof skm === 'object' &&
      skm !== undefined &&
      (SKM_COLOURS as readonly unknown[]).includes(skm.colour) &&
      Number.isFinite(skm.updatedAt));
  const samplesOk =
    Array.isArray(r.natSamples) &&
    r.natSamples.every(
      (s: unknown) =>
        typeof s === 'object' &&
        s !== null &&
        Number.isFinite((s as NatSample).sampledAt) &&
        (NAT_RESULTS as readonly unknown[]).includes((s as NatSample).result),
    );
  const name = typeof r.name === 'string' ? [...r.name] : [];
  return (
    isResidentRef(r.ref) &&
    name.length >= 1 &&
    name.length <= 40 &&
    typeof r.idNumber === 'string' &&
    isAcceptedIdNumber(r.idNumber) &&
    skmOk &&
    samplesOk &&
    Number.isInteger(r.vaccinationDoses) &&
    (r.vaccinationDoses as number) >= 0 &&
    typeof r.onControlList === 'boolean' &&
    typeof r.onRedCodeList === 'boolean'
  );
}

/** Lookup by reference only: what opening a pass code needs. */
export interface ResidentLookup {
  byRef(ref: string): Resident | undefined;
}

export class ResidentDirectory implements ResidentLookup {
  readonly #byRef = new Map<string, Resident>();
  readonly #byIdNumber = new Map<string, Resident>();

  constructor(residents: readonly Resident[] = []) {
    for (const resident of residents) {
      if (!this.add(resident)) throw new RangeError('invalid or duplicate resident');
    }
  }

  /**
   * Adds a copy. False (nothing added) for an invalid resident, a taken ref, or an ID number that
   * is already someone's (one person per ID number).
   */
  add(resident: Resident): boolean {
    if (!isResident(resident)) return false;
    if (this.#byRef.has(resident.ref) || this.#byIdNumber.has(resident.idNumber)) return false;
    const copy = copyResident(resident);
    this.#byRef.set(copy.ref, copy);
    this.#byIdNumber.set(copy.idNumber, copy);
    return true;
  }

  /** Replaces a resident's health record (the real-time lists and data sources change); false if unknown or invalid. */
  updateHealth(ref: string, health: ResidentHealth): boolean {
    const resident = this.#byRef.get(ref);
    if (!resident) return false;
    const updated = { ref: resident.ref, name: resident.name, idNumber: resident.idNumber, ...copyHealth(health) };
    if (!isResident(updated)) return false;
    Object.assign(resident, updated);
    return true;
  }

  byRef(ref: string): Resident | undefined {
    const resident = this.#byRef.get(ref);
    return resident ? copyResident(resident) : undefined;
  }

  /**
   * Exact match of both name and ID number (an ID card's text). A lower-case trailing x is read
   * as X: the two spell the same check character. Anything else must match character for character.
   */
  byIdentity(name: string, idNumber: string): Resident | undefined {
    if (typeof name !== 'string' || typeof idNumber !== 'string') return undefined;
    const resident = this.#byIdNumber.get(idNumber.replace(/x$/, 'X'));
    return resident && resident.name === name ? copyResident(resident) : undefined;
  }

  list(): Resident[] {
    return [...this.#byRef.values()].map(copyResident);
  }

  get size(): number {
    return this.#byRef.size;
  }
}

function copyHealth(health: ResidentHealth): ResidentHealth {
  return {
    skm: health.skm ? { ...health.skm } : null,
    natSamples: health.natSamples.map((s) => ({ ...s })),
    vaccinationDoses: health.vaccinationDoses,
    onControlList: health.onControlList,
    onRedCodeList: health.onRedCodeList,
  };
}

export function copyResident(resident: Resident): Resident {
  return { ref: resident.ref, name: resident.name, idNumber: resident.idNumber, ...copyHealth(resident) };
}
