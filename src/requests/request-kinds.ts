import { enumOf } from '../common/graphql/enum-of';

/** The rights a learner exercises (GDPR Art. 15–18, 20, 21 and 7(3)): docs/learner-rights.md. */
export const REQUEST_KINDS = ['ACCESS', 'PORTABILITY', 'RECTIFICATION', 'ERASURE', 'RESTRICTION', 'OBJECTION', 'CONSENT_WITHDRAWAL'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export const RequestKindEnum = enumOf(REQUEST_KINDS, 'RequestKind', 'The right a learner exercises (docs/learner-rights.md).');

/** How the request reached the provider: through the API by the learner, or recorded by staff. */
export const REQUEST_CHANNELS = ['API', 'EMAIL', 'LETTER', 'PHONE', 'IN_PERSON'] as const;
export type RequestChannel = (typeof REQUEST_CHANNELS)[number];
export const RequestChannelEnum = enumOf(REQUEST_CHANNELS, 'RequestChannel');

export const REQUEST_STATUSES = ['RECEIVED', 'IN_PROGRESS', 'ANSWERED', 'REJECTED'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export const RequestStatusEnum = enumOf(REQUEST_STATUSES, 'RequestStatus', 'ANSWERED and REJECTED are final.');
/** What the register notes as identity verification for a request made with the learner's own token. */
export const VERIFIED_BY_LEARNER_TOKEN = "the learner's token from the identity provider";

export const OPEN_STATUSES: readonly RequestStatus[] = ['RECEIVED', 'IN_PROGRESS'];
