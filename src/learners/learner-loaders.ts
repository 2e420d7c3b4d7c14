import { loaderKey } from '../common/graphql/request-loaders';
import type { EmploymentEntity } from './employment.entity';

/** The per-request loaders of learner data (see common/graphql/request-loaders.ts). */
export const EMPLOYMENTS_BY_LEARNER = loaderKey<EmploymentEntity[]>('employmentsByLearner');
