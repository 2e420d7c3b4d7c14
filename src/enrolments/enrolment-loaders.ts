import { loaderKey } from '../common/graphql/request-loaders';
import type { AssessmentResultEntity } from './assessment-result.entity';
import type { CertificateEntity } from './certificate.entity';
import type { CourseEntity } from './course.entity';
import type { EnrolmentEntity } from './enrolment.entity';

/** The per-request loaders of enrolment data: read by the field resolvers, primed by a gated page. */
export const COURSE_BY_ID = loaderKey<CourseEntity>('courseById');
export const RESULTS_BY_ENROLMENT = loaderKey<AssessmentResultEntity[]>('resultsByEnrolment');
export const CERTIFICATES_BY_ENROLMENT = loaderKey<CertificateEntity[]>('certificatesByEnrolment');
export const ENROLMENTS_BY_LEARNER = loaderKey<EnrolmentEntity[]>('enrolmentsByLearner');
