import { enumOf } from '../common/graphql/enum-of';

export const ORGANISATION_KINDS = ['EMPLOYER', 'BROKER', 'PROVIDER'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export const OrganisationKindEnum = enumOf(ORGANISATION_KINDS, 'OrganisationKind');
