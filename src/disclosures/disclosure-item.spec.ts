import { itemOf, perCategory, type DisclosureGrant } from './disclosure-item';

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
});
