import fc from 'fast-check';
import { DISCLOSURE_CATEGORIES } from '../common/disclosure-category';
import { ContentWriter, itemOf, perCategory, type DisclosureGrant } from './disclosure-item';

const consent: DisclosureGrant = { basis: 'CONSENT', agreementId: 'a1', agreementVersionId: 'v1', agreementVersion: 1, onBehalfOf: null };
const processor: DisclosureGrant = { basis: 'PROCESSOR', agreementId: 'a2', agreementVersionId: 'v2', agreementVersion: 3, onBehalfOf: null };
const viaMandate: DisclosureGrant = { ...processor, onBehalfOf: 'employer-1' };

describe('ledger items', () => {
  it('groups an enrolment’s categories by the agreement version (and employer) that allowed them', () => {
    const item = itemOf('e1', 'c1', [
      { category: 'ASSESSMENT_RESULTS', grant: consent },
      { category: 'ENROLMENT_STATUS', grant: processor },
      { category: 'PROGRESS', grant: processor },
      { category: 'COMPLETION', grant: viaMandate },
    ]);
    expect(item).toEqual({
      enrolmentId: 'e1',
      courseId: 'c1',
      grants: [
        { ...processor, categories: ['ENROLMENT_STATUS', 'PROGRESS'] },
        { ...viaMandate, categories: ['COMPLETION'] },
        { ...consent, categories: ['ASSESSMENT_RESULTS'] },
      ],
    });
  });

  it('reads back one line per category, in the canonical order, with its own grant', () => {
    const item = itemOf('e1', 'c1', [
      { category: 'ASSESSMENT_RESULTS', grant: consent },
      { category: 'ENROLMENT_STATUS', grant: processor },
      { category: 'COMPLETION', grant: viaMandate },
    ]);
    expect(perCategory([item])).toEqual([
      {
        enrolmentId: 'e1',
        courseId: 'c1',
        categories: [
          { category: 'ENROLMENT_STATUS', ...processor },
          { category: 'COMPLETION', ...viaMandate },
          { category: 'ASSESSMENT_RESULTS', ...consent },
        ],
      },
    ]);
  });

  it('reads entries written before the grouped form as they were hashed', () => {
    const flat = { enrolmentId: 'e1', courseId: 'c1', categories: [{ category: 'PROGRESS' as const, ...processor }] };
    expect(perCategory([flat])).toEqual([flat]);
  });

  it('writes an entry’s content as text byte for byte as JSON.stringify writes the items itemOf makes', () => {
    const id = fc.oneof(fc.uuid(), fc.string({ maxLength: 6 }));
    // Few distinct values, so that grants share fragments; among them values a careless cache key
    // would confuse: ids with the key's separators, a version as a number and as text, no employer
    // as null, as undefined and as ''.
    const grant = fc.record({
      basis: fc.constantFrom('PROCESSOR', 'LEGITIMATE_INTEREST', 'STUDY_CONTRACT', 'CONSENT' as const),
      agreementId: fc.constantFrom('a1', 'a2', 'a|b', 'a'),
      agreementVersionId: fc.constantFrom('v1', 'v2', 'v"3', 'b|v1', 'v1|'),
      agreementVersion: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom('1', '2') as unknown as fc.Arbitrary<number>),
      onBehalfOf: fc.constantFrom<string | null>(null, undefined as unknown as null, '', 'employer-1', 'employer|2'),
    });
    // Grant objects fresh for each pair, and taken from a pool shared by every item of the run, as
    // the ledger's writer hands one object per decision (the writer caches fragments per object).
    const entries = fc.array(grant, { minLength: 1, maxLength: 4 }).chain((pool) => {
      const disclosed = fc.array(fc.record({ category: fc.constantFrom(...DISCLOSURE_CATEGORIES), grant: fc.oneof(grant, fc.constantFrom(...pool)) }), { maxLength: 10 });
      const entry = fc.array(fc.record({ enrolmentId: id, courseId: id, disclosed }), { maxLength: 4 });
      return fc.array(entry, { minLength: 1, maxLength: 5 });
    });
    fc.assert(
      fc.property(entries, (entries) => {
        // One writer across the entries, as for a page: its cached fragments must not leak between items.
        const writer = new ContentWriter();
        for (const items of entries) {
          const expected = JSON.stringify({ items: items.map((i) => itemOf(i.enrolmentId, i.courseId, i.disclosed)) });
          expect(writer.content(items.map((i) => writer.item(i.enrolmentId, i.courseId, i.disclosed)))).toBe(expected);
        }
      }),
      { numRuns: 500 },
    );
  });
});
