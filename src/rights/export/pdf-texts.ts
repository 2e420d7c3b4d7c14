import type { Locale } from '../../common/locale';

/** The PDF's words, per language (docs/learner-rights.md, "Export"). */
export const PDF_TEXT = {
  nl: {
    title: (controller: string) => `Uw gegevens bij ${controller}`,
    subtitle: 'Kopie van uw persoonsgegevens (inzage en dataportabiliteit, artikel 15 en 20 AVG)',
    madeFor: 'Gemaakt voor',
    madeOn: 'Gemaakt op',
    exportId: 'Kenmerk',
    about: (controller: string) =>
      `Dit document bevat alle gegevens die ${controller} over u bewaart: uw profiel, uw dienstverbanden, uw inschrijvingen met voortgang, resultaten en certificaten, de afspraken op grond waarvan wij gegevens mogen delen, uw toestemmingen, bezwaren en beperkingen, elke keer dat wij gegevens over u hebben gedeeld (met wie, wat, voor welke cursus en op welke grond), de berichten die wij u stuurden en uw verzoeken. Dezelfde gegevens krijgt u ook als JSON-bestand, dat u in een ander systeem kunt inlezen.`,
    ledger: 'Elke keer dat wij gegevens delen, leggen wij dat vast in een register dat niet ongemerkt kan worden gewijzigd. Achterin staat het laatste ondertekende controlepunt van dat register.',
    contents: 'Inhoud',
    none: 'Geen.',
    purged: 'inhoud verwijderd na de bewaartermijn',
    toldToDelete: 'gevraagd te verwijderen',
    yes: 'ja',
    no: 'nee',
    sections: {
      profile: 'Uw profiel',
      employments: 'Dienstverbanden',
      enrolments: 'Inschrijvingen',
      results: 'Toetsresultaten',
      certificates: 'Certificaten',
      agreements: 'Afspraken over het delen van uw gegevens',
      objections: 'Bezwaren',
      restrictions: 'Beperkingen van de verwerking',
      disclosures: 'Met wie wij uw gegevens deelden',
      notifications: 'Berichten aan u',
      requests: 'Uw verzoeken',
      changes: 'Wijzigingen van uw gegevens',
      exports: 'Eerdere kopieën',
      checkpoint: 'Controlepunt van het register',
    },
    profile: { name: 'Naam', email: 'E-mailadres', locale: 'Taal', frequency: 'E-mail over delen', created: 'Geregistreerd op', id: 'Uw nummer bij ons' },
    cols: {
      employer: 'Werkgever', employeeNumber: 'Personeelsnummer', from: 'Van', until: 'Tot', course: 'Cursus', status: 'Status', enrolled: 'Ingeschreven',
      progress: 'Voortgang', completed: 'Afgerond', time: 'Bestede tijd', assessment: 'Toets', date: 'Datum', score: 'Score', passed: 'Geslaagd',
      number: 'Nummer', issued: 'Uitgegeven', expires: 'Geldig tot', points: 'Punten', recipient: 'Ontvanger', basis: 'Grondslag', data: 'Gegevens',
      valid: 'Geldig', version: 'Versie', reference: 'Kenmerk', state: 'Stand', grounds: 'Toelichting', lifted: 'Opgeheven', reason: 'Reden',
      kind: 'Soort', read: 'Gelezen', emailed: 'E-mail', received: 'Ontvangen', due: 'Uiterlijk', answered: 'Beantwoord', field: 'Gegeven', by: 'Door',
      onBehalfOf: 'namens', revoked: 'ingetrokken', superseded: 'vervangen', current: 'geldt', forYou: 'voor u', forEmployees: 'alle medewerkers',
      kid: 'Sleutel', signature: 'Handtekening', chains: 'Ketens', you: 'uzelf',
    },
  },
  en: {
    title: (controller: string) => `Your data at ${controller}`,
    subtitle: 'A copy of your personal data (access and data portability, GDPR Articles 15 and 20)',
    madeFor: 'Made for',
    madeOn: 'Made on',
    exportId: 'Reference',
    about: (controller: string) =>
      `This document holds all data ${controller} keeps about you: your profile, your employments, your enrolments with progress, results and certificates, the arrangements under which we may share data, your consents, objections and restrictions, every time we shared data about you (with whom, what, for which course and on what basis), the messages we sent you and your requests. You also get the same data as a JSON file that another system can read.`,
    ledger: 'Every time we share data we record it in a register that cannot be changed unnoticed. The last signed checkpoint of that register is at the end.',
    contents: 'Contents',
    none: 'None.',
    purged: 'content removed after the retention period',
    toldToDelete: 'told to delete',
    yes: 'yes',
    no: 'no',
    sections: {
      profile: 'Your profile',
      employments: 'Employments',
      enrolments: 'Enrolments',
      results: 'Assessment results',
      certificates: 'Certificates',
      agreements: 'Arrangements for sharing your data',
      objections: 'Objections',
      restrictions: 'Restrictions of processing',
      disclosures: 'Whom we shared your data with',
      notifications: 'Messages to you',
      requests: 'Your requests',
      changes: 'Changes to your data',
      exports: 'Earlier copies',
      checkpoint: 'Checkpoint of the register',
    },
    profile: { name: 'Name', email: 'Email address', locale: 'Language', frequency: 'Email about sharing', created: 'Registered on', id: 'Your number with us' },
    cols: {
      employer: 'Employer', employeeNumber: 'Employee number', from: 'From', until: 'Until', course: 'Course', status: 'Status', enrolled: 'Enrolled',
      progress: 'Progress', completed: 'Completed', time: 'Time spent', assessment: 'Assessment', date: 'Date', score: 'Score', passed: 'Passed',
      number: 'Number', issued: 'Issued', expires: 'Valid until', points: 'Points', recipient: 'Recipient', basis: 'Basis', data: 'Data',
      valid: 'Valid', version: 'Version', reference: 'Reference', state: 'State', grounds: 'Grounds', lifted: 'Lifted', reason: 'Reason',
      kind: 'Kind', read: 'Read', emailed: 'Email', received: 'Received', due: 'Due', answered: 'Answered', field: 'Field', by: 'By',
      onBehalfOf: 'on behalf of', revoked: 'revoked', superseded: 'replaced', current: 'in force', forYou: 'for you', forEmployees: 'all employees',
      kid: 'Key', signature: 'Signature', chains: 'Chains', you: 'you',
    },
  },
} as const satisfies Record<Locale, unknown>;

export const STATUS_WORDS: Record<Locale, Record<string, string>> = {
  nl: { ENROLLED: 'ingeschreven', IN_PROGRESS: 'bezig', COMPLETED: 'afgerond', WITHDRAWN: 'uitgeschreven', RECEIVED: 'ontvangen', ANSWERED: 'beantwoord', REJECTED: 'afgewezen', PENDING: 'in voorbereiding', READY: 'klaar', FAILED: 'mislukt', EXPIRED: 'verlopen' },
  en: { ENROLLED: 'enrolled', IN_PROGRESS: 'in progress', COMPLETED: 'completed', WITHDRAWN: 'withdrawn', RECEIVED: 'received', ANSWERED: 'answered', REJECTED: 'rejected', PENDING: 'being prepared', READY: 'ready', FAILED: 'failed', EXPIRED: 'expired' },
};

export const NOTIFICATION_WORDS: Record<Locale, Record<string, string>> = {
  nl: {
    DISCLOSURE: 'gegevens gedeeld', AGREEMENT_COVERS_YOU: 'nieuwe afspraak', CONSENT_RECORDED: 'toestemming vastgelegd', CONSENT_WITHDRAWN: 'toestemming ingetrokken',
    OBJECTION_RECORDED: 'bezwaar vastgelegd', OBJECTION_LIFTED: 'bezwaar ingetrokken', RESTRICTION_RECORDED: 'beperking vastgelegd', RESTRICTION_LIFTED: 'beperking opgeheven',
    ENROLLED: 'ingeschreven', REQUEST_RECEIVED: 'verzoek ontvangen', REQUEST_EXTENDED: 'termijn verlengd', REQUEST_ANSWERED: 'verzoek beantwoord', REQUEST_REJECTED: 'verzoek afgewezen', EXPORT_READY: 'kopie klaar', ACCESS_ENDED: 'ontvanger gevraagd te verwijderen',
  },
  en: {
    DISCLOSURE: 'data shared', AGREEMENT_COVERS_YOU: 'new arrangement', CONSENT_RECORDED: 'consent recorded', CONSENT_WITHDRAWN: 'consent withdrawn',
    OBJECTION_RECORDED: 'objection recorded', OBJECTION_LIFTED: 'objection lifted', RESTRICTION_RECORDED: 'restriction recorded', RESTRICTION_LIFTED: 'restriction lifted',
    ENROLLED: 'enrolled', REQUEST_RECEIVED: 'request received', REQUEST_EXTENDED: 'deadline extended', REQUEST_ANSWERED: 'request answered', REQUEST_REJECTED: 'request rejected', EXPORT_READY: 'copy ready', ACCESS_ENDED: 'recipient told to delete',
  },
};

export const FREQUENCY_WORDS: Record<Locale, Record<string, string>> = {
  nl: { IMMEDIATE: 'direct na het delen', DAILY: 'dagelijks overzicht', WEEKLY: 'wekelijks overzicht' },
  en: { IMMEDIATE: 'right after sharing', DAILY: 'daily digest', WEEKLY: 'weekly digest' },
};
