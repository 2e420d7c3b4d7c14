import { enumOf } from '../common/graphql/enum-of';

/**
 * Who is calling. Every request that passed authentication carries exactly one actor.
 * - PROVIDER_STAFF: the provider's staff and its service accounts (the learning platform); the
 *   provider is the controller, its reads are not disclosures (docs/sharing-rules.md rule 2).
 * - EMPLOYER_CLIENT / BROKER_CLIENT: machine clients of an employer or broker organisation.
 * - LEARNER: a person reading their own data, from our own or the learning platform's tokens.
 */
export const ACTOR_KINDS = ['PROVIDER_STAFF', 'EMPLOYER_CLIENT', 'BROKER_CLIENT', 'LEARNER'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export const ActorKindEnum = enumOf(ACTOR_KINDS, 'ActorKind');

export interface Actor {
  kind: ActorKind;
  /** Token subject: a staff id, an API client's id or a learner id. */
  subject: string;
  /** The caller's organisation (absent for learners). */
  organisationId?: string;
  /** The learner's id when kind is LEARNER. */
  learnerId?: string;
  /** The API client that obtained the token, for machine clients. */
  apiClientId?: string;
}

/** Claims of the tokens this API issues. */
export interface AccessTokenClaims {
  sub: string;
  kind: ActorKind;
  org?: string;
  client_id?: string;
}
