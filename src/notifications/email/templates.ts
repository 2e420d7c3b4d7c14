import type { DisclosureCategory } from '../../common/disclosure-category';
import { BASIS_DESCRIPTIONS, CATEGORY_LABELS } from '../../common/labels';
import type { Locale } from '../../common/locale';
import type { SharingBasis } from '../../common/sharing-basis';
import type { NotificationKind } from '../../outbox/notification.entity';
import type { RequestKind } from '../../requests/request-kinds';

/** One disclosure as the learner reads it. */
export interface DisclosureLine {
  at: Date;
  recipient: string;
  onBehalfOf: string | null;
  course: string;
  categories: DisclosureCategory[];
  bases: SharingBasis[];
}

/** Another event the learner is told of (an agreement starts covering them, consent recorded …). */
export interface EventLine {
  at: Date;
  kind: Exclude<NotificationKind, 'DISCLOSURE'>;
  recipient: string | null;
  basis: SharingBasis | null;
  employer: string | null;
  course: string | null;
  /** For the request kinds: which right, the date (due, or an export's expiry), and staff's reason. */
  request?: RequestKind | null;
  date?: Date | null;
  reason?: string | null;
  /** ACCESS_ENDED: the categories the recipient must delete. */
  categories?: DisclosureCategory[];
}

// The words for categories and bases are shared with the API's readable ledger (common/labels.ts).
const CATEGORY = CATEGORY_LABELS;
const BASIS = BASIS_DESCRIPTIONS;

const EVENT: Record<Locale, Record<EventLine['kind'], string>> = {
  nl: {
    AGREEMENT_COVERS_YOU: 'Er geldt een nieuwe afspraak over het delen van uw studiegegevens met {recipient} ({basis}).',
    CONSENT_RECORDED: 'Uw toestemming om gegevens te delen met {recipient} is vastgelegd.',
    CONSENT_WITHDRAWN: 'U heeft uw toestemming voor {recipient} ingetrokken. Wij delen op die grond niets meer.',
    OBJECTION_RECORDED: 'Uw bezwaar tegen het delen op grond van het gerechtvaardigd belang van {recipient} is vastgelegd.',
    OBJECTION_LIFTED: 'Uw bezwaar tegen {recipient} is ingetrokken.',
    RESTRICTION_RECORDED: 'Uw verzoek om beperking van de verwerking is vastgelegd: wij delen niets meer tot u dit opheft.',
    RESTRICTION_LIFTED: 'De beperking van de verwerking is opgeheven.',
    ENROLLED: '{recipient} heeft u namens {employer} ingeschreven voor de cursus "{course}".',
    REQUEST_RECEIVED: 'Wij hebben uw verzoek om {request} ontvangen. U krijgt uiterlijk {date} antwoord.',
    REQUEST_EXTENDED: 'Wij hebben meer tijd nodig voor uw verzoek om {request}: u krijgt uiterlijk {date} antwoord. Reden: {reason}',
    REQUEST_ANSWERED: 'Uw verzoek om {request} is beantwoord. U leest het antwoord bij uw verzoeken in de privacy-instellingen.',
    REQUEST_REJECTED: 'Uw verzoek om {request} is afgewezen. Reden: {reason}',
    EXPORT_READY: 'Uw kopie van al uw gegevens (PDF en JSON) staat klaar. U kunt hem tot {date} downloaden in de privacy-instellingen.',
    ACCESS_ENDED: 'Wij hebben {recipient} gevraagd uw {what} voor de cursus "{course}" te verwijderen: het mag die niet langer bewaren.',
  },
  en: {
    AGREEMENT_COVERS_YOU: 'A new arrangement now covers sharing your study data with {recipient} ({basis}).',
    CONSENT_RECORDED: 'Your consent to share data with {recipient} has been recorded.',
    CONSENT_WITHDRAWN: 'You withdrew your consent for {recipient}. Nothing more is shared on that basis.',
    OBJECTION_RECORDED: "Your objection to sharing on the basis of {recipient}'s legitimate interest has been recorded.",
    OBJECTION_LIFTED: 'Your objection to {recipient} has been lifted.',
    RESTRICTION_RECORDED: 'Your request to restrict processing has been recorded: nothing is shared until you lift it.',
    RESTRICTION_LIFTED: 'The restriction of processing has been lifted.',
    ENROLLED: '{recipient} enrolled you on behalf of {employer} for the course "{course}".',
    REQUEST_RECEIVED: 'We received your request for {request}. You will have our answer by {date}.',
    REQUEST_EXTENDED: 'We need more time for your request for {request}: you will have our answer by {date}. Reason: {reason}',
    REQUEST_ANSWERED: 'Your request for {request} has been answered. You can read the answer with your requests in the privacy settings.',
    REQUEST_REJECTED: 'Your request for {request} was rejected. Reason: {reason}',
    EXPORT_READY: 'Your copy of all your data (PDF and JSON) is ready. You can download it in the privacy settings until {date}.',
    ACCESS_ENDED: 'We told {recipient} to delete your {what} for the course "{course}": it may no longer keep them.',
  },
};

/** The right a request is about, as it reads after "your request for". */
export const REQUEST_WORDS: Record<Locale, Record<RequestKind, string>> = {
  nl: {
    ACCESS: 'inzage in uw gegevens',
    PORTABILITY: 'een kopie van uw gegevens om mee te nemen',
    RECTIFICATION: 'correctie van uw gegevens',
    ERASURE: 'verwijdering van uw gegevens',
    RESTRICTION: 'beperking van de verwerking',
    OBJECTION: 'bezwaar',
    CONSENT_WITHDRAWAL: 'intrekking van uw toestemming',
  },
  en: {
    ACCESS: 'access to your data',
    PORTABILITY: 'a portable copy of your data',
    RECTIFICATION: 'correction of your data',
    ERASURE: 'erasure of your data',
    RESTRICTION: 'restriction of processing',
    OBJECTION: 'an objection',
    CONSENT_WITHDRAWAL: 'withdrawal of your consent',
  },
};

const TEXT = {
  nl: {
    subject: (n: number) => (n === 1 ? 'Wij hebben uw studiegegevens gedeeld' : `Wij hebben uw studiegegevens gedeeld (${n} keer)`),
    subjectEvents: 'Over het delen van uw studiegegevens',
    hello: (name: string) => `Beste ${name},`,
    intro: 'Wij houden u op de hoogte wanneer wij uw studiegegevens doorgeven. Dit is er gedeeld:',
    line: (d: DisclosureLine, when: string, what: string, basis: string) =>
      `${when}: ${d.recipient}${d.onBehalfOf ? ` (namens ${d.onBehalfOf})` : ''} ontving uw ${what} voor de cursus "${d.course}". Grondslag: ${basis}.`,
    events: 'Verder:',
    rights: (url: string) =>
      `Wilt u dit niet? U kunt uw toestemming op elk moment intrekken, bezwaar maken tegen delen op grond van een gerechtvaardigd belang, of vragen de verwerking te beperken. Ga daarvoor naar ${url} of de privacy-instellingen in de leeromgeving. Daar ziet u ook alles wat ooit over u is gedeeld.`,
    bye: 'Met vriendelijke groet,\nLeerhuis Online',
  },
  en: {
    subject: (n: number) => (n === 1 ? 'We shared your study data' : `We shared your study data (${n} times)`),
    subjectEvents: 'About sharing your study data',
    hello: (name: string) => `Dear ${name},`,
    intro: 'We let you know whenever we pass on your study data. This is what was shared:',
    line: (d: DisclosureLine, when: string, what: string, basis: string) =>
      `${when}: ${d.recipient}${d.onBehalfOf ? ` (on behalf of ${d.onBehalfOf})` : ''} received your ${what} for the course "${d.course}". Basis: ${basis}.`,
    events: 'Also:',
    rights: (url: string) =>
      `Not happy with this? You can withdraw your consent at any time, object to sharing based on a legitimate interest, or ask us to restrict processing. Go to ${url} or the privacy settings of the learning platform, where you can also see everything that was ever shared about you.`,
    bye: 'Kind regards,\nLeerhuis Online',
  },
} as const;

function list(locale: Locale, items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${locale === 'nl' ? 'en' : 'and'} ${items.at(-1)}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * One formatter per language for the life of the process, never one per line: each
 * Intl.DateTimeFormat holds ICU objects allocated outside the JavaScript heap, which the garbage
 * collector neither counts nor hurries to free. Built per line, a drain of 100,000 disclosures
 * grew the process to 1.3–2.5 GB of RSS with a JavaScript heap of ~150 MB (docs/operations.md,
 * "Worker memory").
 */
const WHEN: Record<Locale, Intl.DateTimeFormat> = {
  nl: new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Amsterdam' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Amsterdam' }),
};

/** Dates alone (a request's due date, an export's expiry): made once, like WHEN. */
const DAY: Record<Locale, Intl.DateTimeFormat> = {
  nl: new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Amsterdam' }),
};

/** The learner's message: every disclosure and event it covers, in their language, text and HTML. */
export function renderLearnerMessage(input: {
  locale: Locale;
  name: string;
  disclosures: DisclosureLine[];
  events: EventLine[];
  privacyUrl: string;
}): { subject: string; text: string; html: string } {
  const { locale } = input;
  const t = TEXT[locale];
  const when = (d: Date) => WHEN[locale].format(d);
  const day = (d: Date) => DAY[locale].format(d);
  const disclosureLines = input.disclosures.map((d) =>
    t.line(d, when(d.at), list(locale, d.categories.map((c) => CATEGORY[locale][c])), list(locale, [...new Set(d.bases)].map((b) => BASIS[locale][b]))),
  );
  const eventLines = input.events.map(
    (e) =>
      `${when(e.at)}: ${EVENT[locale][e.kind]
        .replace('{recipient}', e.recipient ?? '')
        .replace('{basis}', e.basis ? BASIS[locale][e.basis] : '')
        .replace('{employer}', e.employer ?? '')
        .replace('{course}', e.course ?? '')
        .replace('{request}', e.request ? REQUEST_WORDS[locale][e.request] : '')
        .replace('{date}', e.date ? day(e.date) : '')
        .replace('{reason}', e.reason ?? '')
        .replace('{what}', list(locale, (e.categories ?? []).map((c) => CATEGORY[locale][c])))}`,
  );
  const subject = input.disclosures.length ? t.subject(input.disclosures.length) : t.subjectEvents;
  const paragraphs: string[][] = [[t.hello(input.name)]];
  if (disclosureLines.length) paragraphs.push([t.intro], disclosureLines.map((l) => `- ${l}`));
  if (eventLines.length) paragraphs.push([t.events], eventLines.map((l) => `- ${l}`));
  paragraphs.push([t.rights(input.privacyUrl)], [t.bye]);
  const text = paragraphs.map((p) => p.join('\n')).join('\n\n') + '\n';
  const html =
    `<!doctype html><html lang="${locale}"><body style="font-family:sans-serif;line-height:1.5">` +
    `<p>${escapeHtml(t.hello(input.name))}</p>` +
    (disclosureLines.length ? `<p>${escapeHtml(t.intro)}</p><ul>${disclosureLines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : '') +
    (eventLines.length ? `<p>${escapeHtml(t.events)}</p><ul>${eventLines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : '') +
    `<p>${escapeHtml(t.rights(input.privacyUrl)).replace(escapeHtml(input.privacyUrl), `<a href="${escapeHtml(input.privacyUrl)}">${escapeHtml(input.privacyUrl)}</a>`)}</p>` +
    `<p>${escapeHtml(t.bye).replace('\n', '<br>')}</p></body></html>`;
  return { subject, text, html };
}
