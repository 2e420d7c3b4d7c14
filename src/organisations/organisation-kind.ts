export const ORGANISATION_KINDS = ['EMPLOYER', 'BROKER', 'PROVIDER'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];
