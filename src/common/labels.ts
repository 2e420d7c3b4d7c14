import type { DisclosureCategory } from './disclosure-category';
import type { Locale } from './locale';
import type { SharingBasis } from './sharing-basis';

/**
 * Categories and bases in words, in the learner's language. One source for the learner's emails
 * and for what the API shows a learner (docs/ledger-and-notifications.md, "What the learner
 * reads"): a learner must be able to read who received what and why, not enum values.
 */

/** A category as it reads inside a sentence ("your progress and completion"). */
export const CATEGORY_LABELS: Record<Locale, Record<DisclosureCategory, string>> = {
  nl: {
    ENROLMENT_STATUS: 'inschrijfstatus',
    PROGRESS: 'voortgang',
    TIME_SPENT: 'bestede tijd',
    COMPLETION: 'afronding',
    ASSESSMENT_RESULTS: 'toetsresultaten',
    CERTIFICATES: 'certificaten',
    ACCREDITATION: 'accreditatiepunten',
  },
  en: {
    ENROLMENT_STATUS: 'enrolment status',
    PROGRESS: 'progress',
    TIME_SPENT: 'time spent',
    COMPLETION: 'completion',
    ASSESSMENT_RESULTS: 'assessment results',
    CERTIFICATES: 'certificates',
    ACCREDITATION: 'accreditation points',
  },
};

/** A basis as a sentence addressed to the learner ("Basis: your consent."), as the emails say it. */
export const BASIS_DESCRIPTIONS: Record<Locale, Record<SharingBasis, string>> = {
  nl: {
    PROCESSOR: 'wij verwerken deze gegevens in opdracht van uw werkgever (verwerkersovereenkomst)',
    STUDY_CONTRACT: 'uw studieovereenkomst met uw werkgever',
    LEGITIMATE_INTEREST: 'het gerechtvaardigd belang van uw werkgever',
    CONSENT: 'uw toestemming',
  },
  en: {
    PROCESSOR: 'we process this data on behalf of your employer (processing agreement)',
    STUDY_CONTRACT: 'your study contract with your employer',
    LEGITIMATE_INTEREST: "your employer's legitimate interest",
    CONSENT: 'your consent',
  },
};

/** A basis by its short name, for a table cell or a badge. */
export const BASIS_LABELS: Record<Locale, Record<SharingBasis, string>> = {
  nl: {
    PROCESSOR: 'Verwerkersovereenkomst',
    STUDY_CONTRACT: 'Studieovereenkomst',
    LEGITIMATE_INTEREST: 'Gerechtvaardigd belang',
    CONSENT: 'Toestemming',
  },
  en: {
    PROCESSOR: 'Processing agreement',
    STUDY_CONTRACT: 'Study contract',
    LEGITIMATE_INTEREST: 'Legitimate interest',
    CONSENT: 'Consent',
  },
};
