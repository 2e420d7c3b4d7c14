import type { Lean } from '../common/database/json-rows';
import { loaderKey } from '../common/graphql/request-loaders';
import type { AssessmentResultEntity } from './assessment-result.entity';
import type { CertificateEntity } from './certificate.entity';
import type { CourseEntity } from './course.entity';
import type { EnrolmentEntity } from './enrolment.entity';

/** The per-request loaders of enrolment data: read by the field resolvers, primed by a gated page. */
export const COURSE_BY_ID = loaderKey<CourseEntity | Lean<CourseEntity>>('courseById');
export const RESULTS_BY_ENROLMENT = loaderKey<Lean<AssessmentResultEntity>[]>('resultsByEnrolment');
export const CERTIFICATES_BY_ENROLMENT = loaderKey<Lean<CertificateEntity>[]>('certificatesByEnrolment');
export const ENROLMENTS_BY_LEARNER = loaderKey<Lean<EnrolmentEntity>[]>('enrolmentsByLearner');
