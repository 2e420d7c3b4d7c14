import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../../common/disclosure-category';
import { CATEGORY_INDEX, GatedView } from './request-view';

/** The view's bookkeeping that projections and the ledger share; the decisions themselves are the sharing rules' (sharing-rules.spec.ts). */
describe('GatedView and its enrolment gates', () => {
  const E1 = 'e0000000-0000-4000-8000-000000000001';

  it('keeps one gate per enrolment, whose marks are the ledger’s `disclosed`', () => {
    const view = new GatedView({ kind: 'EMPLOYER', id: 'x' });
    const gate = view.gateOf(E1);
    expect(view.gateOf(E1)).toBe(gate);
    expect(view.disclosed.size).toBe(0);
    gate.mark('PROGRESS');
    view.markDisclosed(E1, 'COMPLETION');
    expect(view.disclosed.get(E1)).toBe(gate);
    expect(gate.marked()).toEqual(['PROGRESS', 'COMPLETION']);
    gate.mark('PROGRESS');
    expect(gate.marked()).toEqual(['PROGRESS', 'COMPLETION']);
    // Not a category: refused, and nothing else recorded in its place.
    expect(() => gate.mark('ATTENDANCE' as DisclosureCategory)).toThrow('ATTENDANCE is not a disclosure category');
    expect(gate.marked()).toEqual(['PROGRESS', 'COMPLETION']);
  });

  it('decides once per enrolment and category, the same by id or by index, denying what it has no facts for', () => {
    const view = new GatedView({ kind: 'EMPLOYER', id: 'x' });
    const decide = jest.spyOn(view, 'decide');
    for (const category of DISCLOSURE_CATEGORIES) {
      const byIndex = view.gateOf(E1).decision(CATEGORY_INDEX[category]);
      expect(view.decision(E1, category)).toBe(byIndex);
      expect(view.allows(E1, category)).toBe(false);
    }
    expect(decide).toHaveBeenCalledTimes(DISCLOSURE_CATEGORIES.length);
  });
});
