import type { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { anyOf } from '../common/any-of';
import { mapInTurns } from '../common/graphql/in-turns';
import { loaderKey, type LoaderKey, type RequestLoaders } from '../common/graphql/request-loaders';
import { BASIS_DESCRIPTIONS, BASIS_LABELS, CATEGORY_LABELS } from '../common/labels';
import type { Locale } from '../common/locale';
import { isUuid } from '../common/uuid';
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

/**
 * The entry as read in `locale`: one object per entry and language, made once, so that its
 * content is parsed once however many of its fields are asked for. The entry itself is left as
 * it was loaded (a request's loader may hand it to fields asking in another language).
 */
export function readableOf(d: DisclosureEntity, locale: Locale): ReadableDisclosure {
  let byLocale = readable.get(d);
  if (!byLocale) readable.set(d, (byLocale = new Map()));
  let r = byLocale.get(locale);
  // Object.assign rather than `{ ...d, locale }`: see readableItems.
  if (!r) byLocale.set(locale, (r = Object.assign({}, d, { locale })));
  return r;
}
const readable = new WeakMap<DisclosureEntity, Map<Locale, ReadableDisclosure>>();

// An entry's content is parsed once per request however many of its fields are asked for.
const parsed = new WeakMap<DisclosureEntity, DisclosedEnrolment[]>();
function disclosedOf(d: DisclosureEntity): DisclosedEnrolment[] {
  let items = parsed.get(d);
  if (!items) parsed.set(d, (items = perCategory(itemsOfContent(d.content))));
  return items;
}

/**
 * The entry's items, one line per category, with the category and basis in words.
 *
 * Each line is written out field by field, not as `{ ...c, label, … }`: on Node 20's V8, a
 * property that an object spread's source does not have costs ~1.5 µs to add to the copy (an
 * object literal or Object.assign onto `{}` costs ~0.1 µs), and a 500-entry page of the ledger
 * has ~9,000 lines with three such properties each (docs/benchmarks.md, "Round 3, eleventh
 * session").
 */
export function readableItems(d: ReadableDisclosure): ReadableEnrolment[] {
  const locale = d.locale;
  return disclosedOf(d).map((item) => ({
    enrolmentId: item.enrolmentId,
    courseId: item.courseId,
    categories: item.categories.map((c) => ({
      category: c.category,
      basis: c.basis,
      agreementId: c.agreementId,
      agreementVersionId: c.agreementVersionId,
      agreementVersion: c.agreementVersion,
      onBehalfOf: c.onBehalfOf,
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

/** Entries whose contents are parsed per turn ahead of GraphQL (~1.2 kB of JSON each on a gated page's). */
const PARSED_PER_TURN = 100;

/** The batched reads behind the readable fields; each resolver passes its request's loaders. */
export class LedgerNames {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Loads ahead what the readable fields of a page of entries will ask for — organisation names,
   * course titles, agreement versions, each kind in one statement — and primes the request's
   * loaders with it, so that the fields answer synchronously when GraphQL reaches them in turns
   * (common/graphql/in-turns.ts). Through the loaders alone, each batch's answer completed the
   * subtrees of all 500 entries in one block of the event loop (docs/benchmarks.md, "Every
   * connection"). `selected`: the field names the query selects below the entries; `also`: more
   * ids of the same kinds that the page's other fields read (an inbox row's payload).
   */
  async ahead(
    loaders: RequestLoaders,
    entries: readonly DisclosureEntity[],
    selected: ReadonlySet<string>,
    also: { organisations?: (string | null | undefined)[]; courses?: (string | null | undefined)[] } = {},
  ): Promise<void> {
    const readsItems = ['items', 'onBehalfOf', 'courseTitle', 'agreement', 'onBehalfOfOrganisation'].some((f) => selected.has(f));
    const disclosed = readsItems ? (await mapInTurns(entries, PARSED_PER_TURN, disclosedOf)).flat() : [];
    const categories = disclosed.flatMap((item) => item.categories);
    const organisations = [
      ...(selected.has('recipient') ? entries.map((d) => d.recipientId) : []),
      ...(selected.has('onBehalfOf') || selected.has('onBehalfOfOrganisation') ? categories.map((c) => c.onBehalfOf) : []),
      ...(also.organisations ?? []),
    ];
    const courses = [...(selected.has('courseTitle') ? disclosed.map((item) => item.courseId) : []), ...(also.courses ?? [])];
    const versions = selected.has('agreement') ? categories.map((c) => c.agreementVersionId) : [];
    // Only well-formed ids are loaded ahead: anything else is left to its field, which answers
    // for it alone, as it did before this (an inbox row's payload is not checked here).
    const ids = (xs: (string | null | undefined)[]) => [...new Set(xs.filter(isUuid))];
    await Promise.all([
      primeFrom(loaders, ORGANISATION_NAME_BY_ID, ids(organisations), (xs) => this.organisationNames(xs)),
      primeFrom(loaders, COURSE_BY_ID, ids(courses), (xs) => this.courses(xs)),
      primeFrom(loaders, AGREEMENT_VERSION_BY_ID, ids(versions), (xs) => this.agreementVersions(xs)),
    ]);
  }

  // The two below answer synchronously when the loader was primed (see `ahead`): thousands of
  // fields of a page then cost no promise each.

  /** An organisation with its name, or null when there is none (or it no longer exists). */
  organisation(loaders: RequestLoaders, id: string | null | undefined): OrNow<{ id: string; name: string } | null> {
    if (!id) return null;
    return then(loaders.load(ORGANISATION_NAME_BY_ID, id, (ids) => this.organisationNames(ids)), (name) => (name === null ? null : { id, name }));
  }

  courseTitle(loaders: RequestLoaders, id: string | null | undefined): OrNow<string | null> {
    if (!id) return null;
    // The same loader as the enrolments' `course`: a request that reads both loads a course once.
    return then(loaders.load(COURSE_BY_ID, id, (ids) => this.courses(ids)), (course) => course?.title ?? null);
  }

  agreementVersion(loaders: RequestLoaders, versionId: string): SharingAgreementEntity | Promise<SharingAgreementEntity | null> {
    return loaders.load(AGREEMENT_VERSION_BY_ID, versionId, (ids) => this.agreementVersions(ids));
  }

  disclosure(loaders: RequestLoaders, id: string): DisclosureEntity | Promise<DisclosureEntity | null> {
    return loaders.load(DISCLOSURE_BY_ID, id, (ids) => this.disclosures(ids));
  }

  /** Primes the request's loader with these entries (an inbox page's, read in one statement). */
  async disclosuresAhead(loaders: RequestLoaders, ids: string[]): Promise<DisclosureEntity[]> {
    return [...(await primeFrom(loaders, DISCLOSURE_BY_ID, [...new Set(ids)], (xs) => this.disclosures(xs))).values()];
  }

  private async organisationNames(ids: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.dataSource.getRepository(OrganisationEntity).find({ where: { id: anyOf(ids) }, select: { id: true, name: true } });
    return new Map(rows.map((o) => [o.id, o.name]));
  }

  private async courses(ids: readonly string[]): Promise<Map<string, CourseEntity>> {
    const rows = await this.dataSource.getRepository(CourseEntity).findBy({ id: anyOf(ids) });
    return new Map(rows.map((c) => [c.id, c]));
  }

  private async agreementVersions(ids: readonly string[]): Promise<Map<string, SharingAgreementEntity>> {
    const rows = await this.dataSource.getRepository(SharingAgreementEntity).findBy({ id: anyOf(ids) });
    return new Map(rows.map((a) => [a.id, a]));
  }

  private async disclosures(ids: readonly string[]): Promise<Map<string, DisclosureEntity>> {
    const rows = await this.dataSource.getRepository(DisclosureEntity).findBy({ id: anyOf(ids) });
    return new Map(rows.map((d) => [d.id, d]));
  }
}

/** A value now, or once its loader has answered. */
type OrNow<T> = T | Promise<T>;

function then<T, U>(value: OrNow<T | null>, f: (v: T | null) => U): OrNow<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/**
 * Loads `ids` with the loader's own batch function and primes what was found. An id not found is
 * left to the loader, which asks again and answers null, as it would have without this.
 */
async function primeFrom<V>(loaders: RequestLoaders, key: LoaderKey<V>, ids: string[], batch: (ids: readonly string[]) => Promise<Map<string, V>>): Promise<Map<string, V>> {
  if (ids.length === 0) return new Map();
  const found = await batch(ids);
  for (const [id, value] of found) loaders.prime(key, id, value);
  return found;
}
