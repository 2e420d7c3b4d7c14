import type { Locale } from '../../common/locale';
import type { Hold } from './erasure.entity';

const KIND_WORDS: Record<Locale, Record<string, string>> = {
  nl: {
    ENROLMENT_ADMINISTRATION: 'de administratie van uw inschrijvingen (wie, welke cursus, voor welke werkgever)',
    CERTIFICATE: 'uw certificaten en accreditatiepunten',
    LEDGER_ENTRY: 'het register van wat wij over u hebben gedeeld, met de afspraken die dat toestonden',
    LEARNER_REQUEST: 'uw verzoeken en onze antwoorden',
  },
  en: {
    ENROLMENT_ADMINISTRATION: 'the administration of your enrolments (who, which course, for which employer)',
    CERTIFICATE: 'your certificates and accreditation points',
    LEDGER_ENTRY: 'the register of what we shared about you, with the arrangements that allowed it',
    LEARNER_REQUEST: 'your requests and our answers',
  },
};

const day = (locale: Locale, iso: string) =>
  new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${iso}T12:00:00Z`));

/** The register's answer (English: the register is the provider's). */
export function erasureAnswer(holds: Hold[]): string {
  if (holds.length === 0) return 'Erased: all data about you.';
  return [
    'Erased: your profile, progress, results, consents that were never used, notifications, exports, corrections, objections, restrictions and employments.',
    'Held because the law requires it, and erased on the date given:',
    ...holds.map((h) => `- ${KIND_WORDS.en[h.recordKind] ?? h.recordKind}: ${h.legalGround}. Earliest date it can go: ${h.until}.`),
  ].join('\n');
}

/** The answer as the learner reads it, in their language. */
export function erasureEmail(locale: Locale, name: string, holds: Hold[]): { subject: string; text: string; html: string } {
  const nl = locale === 'nl';
  const lines = [
    nl ? `Beste ${name},` : `Dear ${name},`,
    '',
    nl
      ? 'Wij hebben uw gegevens gewist zoals u vroeg: uw profiel, voortgang, resultaten, berichten en kopieën. Werkgevers en bemiddelaars zien niets meer van u, en wij delen niets meer.'
      : 'We erased your data as you asked: your profile, progress, results, messages and copies. Employers and brokers no longer see anything of you, and we share nothing more.',
  ];
  if (holds.length) {
    lines.push('', nl ? 'Dit moeten wij van de wet nog bewaren, en wissen wij op de genoemde datum:' : 'The law makes us keep the following, which we erase on the date given:');
    for (const h of holds) lines.push(`- ${KIND_WORDS[locale][h.recordKind] ?? h.recordKind} (${h.legalGround}): ${nl ? 'tot' : 'until'} ${day(locale, h.until)}`);
    lines.push(
      '',
      nl
        ? 'Wij bewaren uw e-mailadres niet: u krijgt daarom geen bericht meer wanneer die laatste gegevens gewist zijn.'
        : 'We do not keep your email address: you will therefore not hear from us again when those last records are erased.',
    );
  }
  lines.push('', nl ? 'Met vriendelijke groet,\nLeerhuis Online' : 'Kind regards,\nLeerhuis Online');
  const text = `${lines.join('\n')}\n`;
  const html = `<!doctype html><html lang="${locale}"><body style="font-family:sans-serif"><pre style="font-family:inherit;white-space:pre-wrap">${text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)}</pre></body></html>`;
  return { subject: nl ? 'Uw gegevens zijn gewist' : 'Your data has been erased', text, html };
}
