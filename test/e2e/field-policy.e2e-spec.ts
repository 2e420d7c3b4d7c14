import { GraphQLSchemaHost } from '@nestjs/graphql';
import { getNamedType, isObjectType } from 'graphql';
import { DISCLOSURE_CATEGORIES } from '../../src/common/disclosure-category';
import { createTestApp, type TestApp } from '../utils/test-app';

/** Types that carry learner data to employers and brokers. */
const LEARNER_DATA_TYPES = ['Learner', 'Employment', 'Enrolment', 'AssessmentResult', 'Certificate'];

/** Object types reachable from learner data that hold none: the course catalogue, withheld notes. */
const NOT_LEARNER_DATA = ['Course', 'Withheld'];

/**
 * Fields without a policy, reviewed: ids that only name records the caller may already see, the
 * catalogue course, and the withheld lists themselves. Adding a field here needs a reason.
 */
const ALLOW_LIST = new Set([
  'Learner.id',
  'Learner.enrolments', // the list is narrowed by the gate (listed enrolments); its fields are gated
  'Learner.withheld',
  'Employment.id',
  'Enrolment.id',
  'Enrolment.learnerId',
  'Enrolment.courseId',
  'Enrolment.course', // catalogue data, not about the learner
  'Enrolment.withheld',
  'AssessmentResult.id',
  'AssessmentResult.enrolmentId',
  'Certificate.id',
  'Certificate.enrolmentId',
  'Certificate.withheld',
]);

describe('every field of a learner-data type has a policy (docs/sharing-rules.md rule 14)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('walks the built schema', () => {
    const schema = t.app.get(GraphQLSchemaHost).schema;
    const unclassified: string[] = [];
    const policies: Record<string, string> = {};
    for (const typeName of LEARNER_DATA_TYPES) {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) throw new Error(`${typeName} is not an object type in the schema`);
      for (const [name, field] of Object.entries(type.getFields())) {
        const key = `${typeName}.${name}`;
        // A new object type reachable from learner data must be classified too.
        const named = getNamedType(field.type);
        if (isObjectType(named)) expect([...LEARNER_DATA_TYPES, ...NOT_LEARNER_DATA]).toContain(named.name);
        const ext = field.extensions as { policy?: string; category?: string };
        if (ext.policy === 'GATED') {
          expect(DISCLOSURE_CATEGORIES).toContain(ext.category);
          // A withheld value is null, so a gated field must be nullable.
          expect(field.type.toString().endsWith('!')).toBe(false);
          policies[key] = ext.category!;
        } else if (ext.policy === 'IDENTITY' || ext.policy === 'INTERNAL') {
          policies[key] = ext.policy;
        } else if (!ALLOW_LIST.has(key)) {
          unclassified.push(key);
        }
      }
    }
    expect(unclassified).toEqual([]);
    // Every category is declared on some field, and the full map is reviewed as a snapshot.
    for (const c of DISCLOSURE_CATEGORIES) expect(Object.values(policies)).toContain(c);
    expect(policies).toMatchSnapshot();
  });
});
