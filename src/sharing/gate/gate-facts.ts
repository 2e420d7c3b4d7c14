import type { DisclosureCategory } from '../../common/disclosure-category';
import type { MandatePermission } from '../../organisations/mandate-permission';
import type { SharingBasis } from '../../common/sharing-basis';

/** Everything the gate needs to decide for one page, loaded set-based (gate-facts.loader.ts). */
export interface GateFacts {
  /** Wall clock of the request: every rule is evaluated at this instant. */
  now: Date;
  /** The calendar date in Europe/Amsterdam at `now` (employment dates are calendar dates). */
  today: string;
  learners: Map<string, { id: string; erasedAt: Date | null }>;
  employments: FactEmployment[];
  enrolments: FactEnrolment[];
  agreements: FactAgreement[];
  mandates: FactMandate[];
  /** learnerId → recipients objected to, active at `now`. */
  objections: Map<string, Set<string>>;
  /** learners with a restriction of processing active at `now`. */
  restricted: Set<string>;
}

export interface FactEmployment {
  learnerId: string;
  employerId: string;
  startedOn: string;
  endedOn: string | null;
  employeeNumber?: string;
  /** A claim not yet confirmed (employment.entity.ts): the name the employer supplied. */
  claimedName?: string | null;
}

export interface FactEnrolment {
  id: string;
  learnerId: string;
  courseId: string;
  sponsorEmployerId: string | null;
  enrolledById: string;
}

export interface FactAgreement {
  id: string;
  agreementId: string;
  version: number;
  recipientId: string;
  basis: SharingBasis;
  categories: DisclosureCategory[];
  learnerId: string | null;
  courseIds: string[] | null;
  validFrom: Date;
  validUntil: Date | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface FactMandate {
  id: string;
  brokerId: string;
  employerId: string;
  validFrom: Date;
  validUntil: Date | null;
  revokedAt: Date | null;
  permissions: MandatePermission[];
  categories: DisclosureCategory[];
}
