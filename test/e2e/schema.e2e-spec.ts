import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { getNamedType, isObjectType, lexicographicSortSchema, printSchema, type GraphQLObjectType } from 'graphql';
import { ACTOR_KINDS, type ActorKind } from '../../src/auth/actor';
import { staffClaims, world } from '../factories/world';
import { allOperations } from '../utils/operation-walker';
import { createTestApp, type TestApp } from '../utils/test-app';

const SCHEMA_FILE = join(__dirname, '..', '..', 'schema.gql');

describe('the GraphQL schema', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const schema = () => t.app.get(GraphQLSchemaHost).schema;

  it('schema.gql is generated from the code and up to date (npm run schema:generate)', () => {
    const printed = `# Generated from the code by \`npm run schema:generate\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(schema()))}\n`;
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, printed);
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printed);
  });

  it('plain and gated fields are read as properties; learner-data types take only what went through the gate', () => {
    const types = Object.values(schema().getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'));
    const fields = (name: string) => (schema().getType(name) as GraphQLObjectType).getFields();
    expect(fields('Enrolment').id.resolve).toBeUndefined();
    expect(fields('Enrolment').progressPercent.resolve).toBeUndefined();
    expect(fields('Withheld').reason.resolve).toBeUndefined();
    const learnerData = types.filter((t) => Object.values(t.getFields()).some((f) => ['GATED', 'INTERNAL'].includes((f.extensions as { policy?: string }).policy ?? '')));
    expect(learnerData.map((t) => t.name).sort()).toEqual(['AssessmentResult', 'Certificate', 'Employment', 'Enrolment', 'Learner']);
    for (const type of learnerData) {
      // A record handed to GraphQL without the gate's projection fails, and says nothing of the record.
      expect(() => type.isTypeOf!({ id: 'e1', progressPercent: 40 }, {}, {} as never)).toThrow('without the gate');
      // Every field that returns one projects what its resolver returns.
      for (const owner of types) {
        for (const field of Object.values(owner.getFields())) {
          if (getNamedType(field.type) === type) expect({ field: `${owner.name}.${field.name}`, resolve: typeof field.resolve }).toEqual({ field: `${owner.name}.${field.name}`, resolve: 'function' });
        }
      }
    }
  });

  it('every operation refuses a caller without a token', async () => {
    const ops = allOperations(schema());
    expect(ops.length).toBeGreaterThan(20);
    for (const op of ops) {
      const res = await t.gql(undefined, op.document, op.variables);
      expect({ op: op.name, code: res.errors?.[0]?.extensions.code, data: res.data?.[op.name] ?? null }).toEqual({
        op: op.name,
        code: 'UNAUTHENTICATED',
        data: null,
      });
    }
  });

  it('who may call what: a reviewed snapshot of every operation per actor kind', async () => {
    const w = world(t.db);
    const provider = await w.organisation('PROVIDER');
    const employer = await w.organisation('EMPLOYER');
    const broker = await w.organisation('BROKER');
    const learner = await w.learner();
    const tokens: Record<ActorKind, string> = {
      PROVIDER_STAFF: t.token(staffClaims(provider.id)),
      EMPLOYER_CLIENT: t.token((await w.apiClient(employer)).claims),
      BROKER_CLIENT: t.token((await w.apiClient(broker)).claims),
      LEARNER: t.token({ sub: learner.id, kind: 'LEARNER' }),
    };
    const matrix: Record<string, string> = {};
    for (const op of allOperations(schema())) {
      const allowed: string[] = [];
      for (const kind of ACTOR_KINDS) {
        const res = await t.gql(tokens[kind], op.document, op.variables);
        const code = res.errors?.[0]?.extensions.code;
        expect(code).not.toBe('INTERNAL_SERVER_ERROR');
        if (code !== 'FORBIDDEN') allowed.push(kind);
      }
      matrix[`${op.kind} ${op.name}`] = allowed.join(', ') || '(nobody)';
    }
    // A new operation, or a change of who may call one, shows up here as a diff to review.
    expect(matrix).toMatchSnapshot();
  });
});
