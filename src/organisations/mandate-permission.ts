export const MANDATE_PERMISSIONS = ['ENROL', 'VIEW_RESULTS'] as const;
export type MandatePermission = (typeof MANDATE_PERMISSIONS)[number];
