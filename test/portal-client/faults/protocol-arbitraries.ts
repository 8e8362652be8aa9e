// fast-check arbitraries for protocol-shaped input: objects with (some of) the fields a reader
// expects and random values, answers a portal might give, synthetic names and ID numbers.
import fc from 'fast-check';
import {
  ID_NUMBER_FORMATS,
  type IdCardIdentity,
  syntheticIdNumber,
  syntheticIdNumberOf,
} from '../../../firmware/core/id-number.js';
import { PORTAL_ERROR_CODES } from '../../../portal-client/protocol/messages.js';

export const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
export const anyHex = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('hex'));
export const plausibleScalar = fc.oneof(
  fc.anything(),
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(1, 0, -1, 24, 48, 72, 3, Number.MAX_SAFE_INTEGER, 2 ** 53, 1.5, NaN),
  fc.string({ maxLength: 80 }),
  hex(16),
  hex(32),
  anyHex,
  fc.constantFrom(
    'PASS',
    'DENY',
    'SHOW_CODE',
    'CHECK_SKM',
    'transport',
    'resident',
    '*三',
    '3****************X',
    'A*************B',
    ...PORTAL_ERROR_CODES,
  ),
  fc.base64String({ maxLength: 80 }),
);

/** Objects with (some of) the field names a reader expects, plus maybe extra keys, values random. */
export function nearValid(
  fields: readonly string[],
  nested: fc.Arbitrary<unknown> = plausibleScalar,
): fc.Arbitrary<Record<string, unknown>> {
  const shape = Object.fromEntries(fields.map((k) => [k, fc.oneof(plausibleScalar, nested)]));
  return fc
    .tuple(
      fc.record(shape, { requiredKeys: [] }),
      fc.option(fc.dictionary(fc.string({ maxLength: 8 }), plausibleScalar, { maxKeys: 2 }), { nil: undefined }),
    )
    .map(([base, extra]) => ({ ...(extra ?? {}), ...base }));
}

export const VENUE_FIELDS = ['code', 'name', 'category', 'natValidityHours', 'vaccinationDoses'];
export const venueLike = nearValid(VENUE_FIELDS);
export const verdictLike = nearValid(
  ['opinion', 'maskedName', 'maskedId', 'nat', 'vaccination'],
  fc.oneof(nearValid(['validityHours', 'valid']), nearValid(['dosesRequired', 'complete'])),
);
export const errorLike = nearValid(['code', 'portalTime']);
export const ENVELOPE_FIELDS = ['v', 'ts', 'nonce', 'iv', 'ct', 'mac'];

/** Synthetic names: CJK given names, with odd but legal shapes (long, Latin, a middle dot). */
export const syntheticName = fc.oneof(
  fc
    .array(fc.constantFrom('王', '李', '欧', '阳', '娜', '伟', '·', 'A', 'z'), { minLength: 1, maxLength: 45 })
    .map((c) => c.join('')),
  fc.stringMatching(/^[A-Z][a-z]{0,20}( [A-Z][a-z]{0,20}){0,2}$/),
);
/** Valid GB 11643 numbers (correct check digit), drawn from fast-check's randomness. */
export const validIdNumber = fc
  .array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 5, maxLength: 5 })
  .map((r) => {
    let i = 0;
    return syntheticIdNumber({ random: () => r[i++ % r.length], region: '320213' });
  });

/** A card type and a valid number of one of its formats (firmware/core/id-number.ts). */
export const cardTypeAndNumber = fc
  .tuple(
    fc.constantFrom(...(Object.keys(ID_NUMBER_FORMATS) as IdCardIdentity['cardType'][])),
    fc.nat(),
    fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 5, maxLength: 5 }),
  )
  .map(([cardType, pick, r]) => {
    const formats = ID_NUMBER_FORMATS[cardType];
    let i = 0;
    const idNumber = syntheticIdNumberOf(formats[pick % formats.length], { random: () => r[i++ % r.length] });
    return { cardType, idNumber };
  });

export const STATUSES = [200, 200, 200, 201, 202, 301, 400, 401, 403, 404, 409, 413, 429, 500, 502, 503, 504];
export const answerBody = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  nearValid(ENVELOPE_FIELDS).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        v: fc.oneof(fc.constant(1), plausibleScalar),
        error: fc.oneof(
          errorLike,
          fc.record(
            {
              code: fc.constantFrom(...PORTAL_ERROR_CODES),
              portalTime: fc.oneof(fc.constant(Date.now()), fc.integer()),
            },
            { requiredKeys: ['code'] },
          ),
        ),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
);
export const randomAnswer = fc.record({ status: fc.constantFrom(...STATUSES), body: answerBody });
