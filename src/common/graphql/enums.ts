import { registerEnumType } from '@nestjs/graphql';
import { ACTOR_KINDS } from '../../auth/actor';
import { ENROLMENT_STATUSES } from '../../enrolments/enrolment-status';
import { LOCALES } from '../../learners/locale';
import { MANDATE_PERMISSIONS } from '../../organisations/mandate-permission';
import { ORGANISATION_KINDS } from '../../organisations/organisation-kind';
import { DISCLOSURE_CATEGORIES } from '../disclosure-category';

/** A GraphQL enum from an `as const` list: the list stays the single source of the values. */
function enumOf<T extends string>(values: readonly T[], name: string, description?: string): Record<T, T> {
  const obj = Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;
  registerEnumType(obj, { name, description });
  return obj;
}

export const OrganisationKindEnum = enumOf(ORGANISATION_KINDS, 'OrganisationKind');
export const MandatePermissionEnum = enumOf(MANDATE_PERMISSIONS, 'MandatePermission');
export const DisclosureCategoryEnum = enumOf(DISCLOSURE_CATEGORIES, 'DisclosureCategory', 'Category of learner data (DESIGN §3).');
export const LocaleEnum = enumOf(LOCALES, 'Locale');
export const EnrolmentStatusEnum = enumOf(ENROLMENT_STATUSES, 'EnrolmentStatus');
export const ActorKindEnum = enumOf(ACTOR_KINDS, 'ActorKind');
