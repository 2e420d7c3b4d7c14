import type { DisclosureCategory } from '../common/disclosure-category';
import type { SharingBasis } from '../sharing/sharing-basis';

/** Per enrolment: the categories disclosed, each with the exact agreement version that allowed it. */
export interface DisclosureItem {
  enrolmentId: string;
  courseId: string;
  categories: {
    category: DisclosureCategory;
    basis: SharingBasis;
    agreementId: string;
    agreementVersionId: string;
    agreementVersion: number;
    /** For a broker reading through a mandate: the employer whose view it is. */
    onBehalfOf: string | null;
  }[];
}
