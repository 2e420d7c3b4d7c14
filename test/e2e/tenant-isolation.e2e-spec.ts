import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { ActorKind } from '../../src/auth/actor';
import { world } from '../factories/world';
import { allOperations } from '../utils/operation-walker';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * For every read operation: an employer or broker with no relation to a learner sees nothing of
 * them, and an id it may not see answers exactly like an unknown id (docs/sharing-rules.md rule 3; docs/architecture.md, "Tenancy").
 */
describe('tenant isolation', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('every query, called by an unrelated employer and broker with the learner\'s ids, reveals nothing', async () => {
    const w = world(t.db);
    const provider = await w.organisation('PROVIDER');
    const employer = await w.organisation('EMPLOYER', 'Employer With Data');
    const learner = await w.learner({ name: 'Secret Person', email: 'secret.person@example.test' });
    await w.employment(learner.id, employer.id, { employeeNumber: 'SECRET-NR' });
    const course = await w.course();
    const enrolment = await w.enrolment(learner.id, course.id, provider.id, { sponsorEmployerId: employer.id, status: 'COMPLETED', progressPercent: 77 });
    const result = await w.result(enrolment.id, { score: 93.25 });
    const certificate = await w.certificate(enrolment.id, { number: 'CERT-SECRET-1' });
    const agreement = await w.agreement({ recipientId: employer.id, basis: 'PROCESSOR', categories: ['ENROLMENT_STATUS', 'PROGRESS', 'ASSESSMENT_RESULTS', 'CERTIFICATES'] });
    await w.apiClient(employer);
    // the learner's own relation to the data-holding employer, and a control: that employer sees it
    const owner = t.token((await w.apiClient(employer)).claims);
    const ownerView = await t.gql(owner, `query($id: ID!) { learner(id: $id) { name enrolments { progressPercent } } }`, { id: learner.id });
    expect(ownerView.data.learner).toEqual({ name: 'Secret Person', enrolments: [{ progressPercent: 77 }] });

    const strangers: Record<Exclude<ActorKind, 'PROVIDER_STAFF' | 'LEARNER'>, string> = {
      EMPLOYER_CLIENT: t.token((await w.apiClient(await w.organisation('EMPLOYER'))).claims),
      BROKER_CLIENT: t.token((await w.apiClient(await w.organisation('BROKER'))).claims),
    };
    const secrets = [learner.id, learner.name, learner.email, 'SECRET-NR', enrolment.id, result.id, '93.25', certificate.id, 'CERT-SECRET-1', agreement.id, agreement.agreementId, employer.id, 'Employer With Data'];
    const ids = { id: learner.id, learnerId: learner.id, enrolmentId: enrolment.id, recipientId: employer.id, organisationId: employer.id };
    const unknownIds = { id: '00000000-0000-4000-8000-00000000beef', learnerId: '00000000-0000-4000-8000-00000000beef', enrolmentId: '00000000-0000-4000-8000-00000000cafe', recipientId: employer.id, organisationId: employer.id };

    const schema = t.app.get(GraphQLSchemaHost).schema;
    const queries = allOperations(schema, { deep: true, ids }).filter((op) => op.kind === 'query');
    const unknown = new Map(allOperations(schema, { deep: true, ids: unknownIds }).map((op) => [op.name, op]));
    let checked = 0;
    for (const [kind, token] of Object.entries(strangers)) {
      for (const op of queries) {
        const res = await t.gql(token, op.document, op.variables);
        const code = res.errors?.[0]?.extensions.code;
        if (code === 'FORBIDDEN') continue; // not an operation this kind may call at all
        expect({ kind, op: op.name, code }).not.toEqual({ kind, op: op.name, code: 'INTERNAL_SERVER_ERROR' });
        const body = JSON.stringify(res.body);
        for (const secret of secrets) expect({ kind, op: op.name, leaked: body.includes(secret) ? secret : null }).toEqual({ kind, op: op.name, leaked: null });
        if (code === 'NOT_FOUND') {
          // indistinguishable from an id that does not exist
          const u = unknown.get(op.name)!;
          const other = await t.gql(token, u.document, u.variables);
          expect(res.body.errors.map((e: { message: string }) => e.message)).toEqual(other.body.errors.map((e: { message: string }) => e.message));
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(12);
  });
});
