import { enumOf } from '../common/graphql/enum-of';

export const MANDATE_PERMISSIONS = ['ENROL', 'VIEW_RESULTS'] as const;
export type MandatePermission = (typeof MANDATE_PERMISSIONS)[number];

export const MandatePermissionEnum = enumOf(MANDATE_PERMISSIONS, 'MandatePermission');
