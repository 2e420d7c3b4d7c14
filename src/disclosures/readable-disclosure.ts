import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { anyOf } from '../common/any-of';
import { loaderKey, type RequestLoaders } from '../common/graphql/request-loaders';
import { BASIS_DESCRIPTIONS, BASIS_LABELS, CATEGORY_LABELS } from '../common/labels';
import type { Locale } from '../common/locale';
import { CourseEntity } from '../enrolments/course.entity';
import { COURSE_BY_ID } from '../enrolments/enrolment-loaders';
import { LearnerEntity } from '../learners/learner.entity';
import { OrganisationEntity } from '../organisations/organisation.entity';
import { SharingAgreementEntity } from '../sharing/agreements/sharing-agreement.entity';
import { DisclosureEntity } from './disclosure.entity';
import { itemsOfContent, perCategory, type DisclosedEnrolment } from './disclosure-item';

/**
 * The ledger as a person reads it (docs/ledger-and-notifications.md, "What the learner reads"):
 * names instead of ids, categories and bases in words, and the agreement version itself. Names,
 * titles and versions come through per-request loaders, so a page of 500 entries costs one query
 * per kind of name, not one per entry.
 */
export const ORGANISATION_NAME_BY_ID = loaderKey<string>('organisationNameById');
export const AGREEMENT_VERSION_BY_ID = loaderKey<SharingAgreementEntity>('agreementVersionById');
export const DISCLOSURE_BY_ID = loaderKey<DisclosureEntity>('disclosureById');

/** A ledger entry as handed to GraphQL, with the language its words are to be in. */
export type ReadableDisclosure = DisclosureEntity & { locale: Locale };

export type ReadableCategory = DisclosedEnrolment['categories'][number] & { label: string; basisLabel: string; basisDescription: string };
export type ReadableEnrolment = Omit<DisclosedEnrolment, 'categories'> & { categories: ReadableCategory[] };

/**
 * The language of the words: the one asked for, else a learner's own (one query per request),
 * else English — employers, brokers and staff read the enum values beside it anyway.
 */
export async function wordsLocale(dataSource: DataSource, actor: Actor, requested: Locale | null | undefined): Promise<Locale> {
  if (requested) return requested;
  if (actor.kind !== 'LEARNER' || !actor.learnerId) return 'en';
  const learner = await dataSource.getRepository(LearnerEntity).findOne({ where: { id: actor.learnerId }, select: { id: true, locale: true } });
  return learner?.locale ?? 'nl';
}

// An entry's content is parsed once per request however many of its fields are asked for.
const parsed = new WeakMap<DisclosureEntity, DisclosedEnrolment[]>();
function disclosedOf(d: DisclosureEntity): DisclosedEnrolment[] {
  let items = parsed.get(d);
  if (!items) parsed.set(d, (items = perCategory(itemsOfContent(d.content))));
  return items;
}

/** The entry's items, one line per category, with the category and basis in words. */
export function readableItems(d: ReadableDisclosure): ReadableEnrolment[] {
  const locale = d.locale;
  return disclosedOf(d).map((item) => ({
    ...item,
    categories: item.categories.map((c) => ({
      ...c,
      label: CATEGORY_LABELS[locale][c.category],
      basisLabel: BASIS_LABELS[locale][c.basis],
      basisDescription: BASIS_DESCRIPTIONS[locale][c.basis],
    })),
  }));
}

/** The employers a broker acted for in this entry, each once. */
export function principalsOf(d: DisclosureEntity): string[] {
  return [...new Set(disclosedOf(d).flatMap((item) => item.categories.flatMap((c) => (c.onBehalfOf ? [c.onBehalfOf] : []))))];
}

/** The batched reads behind the readable fields; each resolver passes its request's loaders. */
export class LedgerNames {
  constructor(private readonly dataSource: DataSource) {}

  /** An organisation with its name, or null when there is none (or it no longer exists). */
  async organisation(loaders: RequestLoaders, id: string | null | undefined): Promise<{ id: string; name: string } | null> {
    if (!id) return null;
    const name = await loaders.load(ORGANISATION_NAME_BY_ID, id, async (ids) => {
      const rows = await this.dataSource.getRepository(OrganisationEntity).find({ where: { id: anyOf(ids) }, select: { id: true, name: true } });
      return new Map(rows.map((o) => [o.id, o.name]));
    });
    return name === null ? null : { id, name };
  }

  async courseTitle(loaders: RequestLoaders, id: string | null | undefined): Promise<string | null> {
    if (!id) return null;
    // The same loader as the enrolments' `course`: a request that reads both loads a course once.
    const course = await loaders.load(COURSE_BY_ID, id, async (ids) => {
      const rows = await this.dataSource.getRepository(CourseEntity).findBy({ id: anyOf(ids) });
      return new Map(rows.map((c) => [c.id, c]));
    });
    return course?.title ?? null;
  }

  agreementVersion(loaders: RequestLoaders, versionId: string): SharingAgreementEntity | Promise<SharingAgreementEntity | null> {
    return loaders.load(AGREEMENT_VERSION_BY_ID, versionId, async (ids) => {
      const rows = await this.dataSource.getRepository(SharingAgreementEntity).findBy({ id: anyOf(ids) });
      return new Map(rows.map((a) => [a.id, a]));
    });
  }

  disclosure(loaders: RequestLoaders, id: string): DisclosureEntity | Promise<DisclosureEntity | null> {
    return loaders.load(DISCLOSURE_BY_ID, id, async (ids) => {
      const rows = await this.dataSource.getRepository(DisclosureEntity).findBy({ id: anyOf(ids) });
      return new Map(rows.map((d) => [d.id, d]));
    });
  }
}
