import { enumOf } from './graphql/enum-of';

/** The languages a learner is written to in (emails, exports). */
export const LOCALES = ['nl', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const LocaleEnum = enumOf(LOCALES, 'Locale');
