import { renderLearnerMessage, type DisclosureLine } from './templates';

describe('renderLearnerMessage', () => {
  const at = new Date('2026-11-24T06:00:00Z'); // 07:00 in Amsterdam
  const lines = (n: number): DisclosureLine[] =>
    Array.from({ length: n }, (_, i) => ({
      at: new Date(at.getTime() + i * 60_000),
      recipient: 'Bouwbedrijf De Vries',
      onBehalfOf: null,
      course: `Cursus ${i}`,
      categories: ['PROGRESS', 'COMPLETION'],
      bases: ['PROCESSOR'],
    }));

  // Each Intl.DateTimeFormat holds native (ICU) memory the garbage collector does not see: one per
  // line grew a worker draining 100,000 disclosures to 1.5 GB (docs/operations.md, "Worker memory").
  it('formats the dates of a full message without making a date formatter per line', () => {
    const made = jest.spyOn(Intl, 'DateTimeFormat');
    try {
      const nl = renderLearnerMessage({ locale: 'nl', name: 'Anna', disclosures: lines(500), events: [], privacyUrl: 'https://example.test/privacy' });
      const en = renderLearnerMessage({ locale: 'en', name: 'Anna', disclosures: lines(500), events: [], privacyUrl: 'https://example.test/privacy' });
      expect(made).not.toHaveBeenCalled();
      expect(nl.text).toContain('24 november 2026 om 07:00: Bouwbedrijf De Vries ontving uw voortgang en afronding voor de cursus "Cursus 0"');
      expect(en.text).toContain('24 November 2026 at 07:01: Bouwbedrijf De Vries received your progress and completion for the course "Cursus 1"');
      expect(nl.subject).toBe('Wij hebben uw studiegegevens gedeeld (500 keer)');
    } finally {
      made.mockRestore();
    }
  });
});
