import {
  GraphQLFloat,
  GraphQLID,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
  graphql,
  parse,
  type GraphQLFieldConfigMap,
} from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { inspect as graphqlInspect } from 'graphql/jsutils/inspect';
import { inspect } from 'node:util';
import createInspect from 'graphql-jit/dist/inspect';
import { DISCLOSURE_CATEGORIES, type DisclosureCategory } from '../../common/disclosure-category';
import { FullView, type RequestView } from './request-view';
import { installProjections } from './projection';

/** A view that allows what it is told to, and records what was marked as disclosed. */
function gatedView(allowed: Record<string, DisclosureCategory[]>) {
  const marked: string[] = [];
  // A view as projections use it: an enrolment's gate, asked by category index.
  const view = {
    kind: 'GATED',
    gateOf: (enrolmentId: string) => ({
      decision: (index: number) => ({ allowed: allowed[enrolmentId]?.includes(DISCLOSURE_CATEGORIES[index]) ?? false }),
      mark: (category: DisclosureCategory) => marked.push(`${enrolmentId}:${category}`),
    }),
  } as unknown as RequestView;
  return { view, marked };
}

const gated = (category: DisclosureCategory) => ({ policy: 'GATED', category });

function buildSchema() {
  const Result = new GraphQLObjectType({
    name: 'Result',
    fields: {
      id: { type: new GraphQLNonNull(GraphQLID) },
      enrolmentId: { type: new GraphQLNonNull(GraphQLID) },
      score: { type: GraphQLFloat, extensions: gated('ASSESSMENT_RESULTS') },
    },
  });
  const Enrolment: GraphQLObjectType = new GraphQLObjectType({
    name: 'Enrolment',
    fields: (): GraphQLFieldConfigMap<unknown, unknown> => ({
      id: { type: new GraphQLNonNull(GraphQLID) },
      progress: { type: GraphQLFloat, extensions: gated('PROGRESS') },
      sponsor: { type: GraphQLString, extensions: { policy: 'INTERNAL' } },
      // A gated field with a resolver of its own: it gets the record, not the projection.
      status: { type: GraphQLString, extensions: gated('ENROLMENT_STATUS'), resolve: (e) => (Object.getPrototypeOf(e) === Object.prototype ? (e as { status: string }).status : 'PROJECTION') },
      results: { type: new GraphQLList(Result), extensions: gated('ASSESSMENT_RESULTS'), resolve: (e) => (e as { results: unknown[] }).results },
      // An object of a type without learner data, read as a property.
      course: { type: new GraphQLObjectType({ name: 'Course', fields: { title: { type: GraphQLString } } }) },
    }),
  });
  const Page = new GraphQLObjectType({ name: 'Page', fields: { nodes: { type: new GraphQLList(new GraphQLList(Enrolment)) } } });
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        enrolment: { type: Enrolment, resolve: () => Promise.resolve(ENROLMENT) },
        page: { type: Page, resolve: () => ({ nodes: [[Promise.resolve(ENROLMENT)], [ENROLMENT]] }) },
        // Odd things a resolver might hand back, each checked below.
        handedOn: { type: Enrolment, resolve: () => handedOn },
        failing: { type: Enrolment, resolve: () => new Error('the resolver failed') },
        notAList: { type: new GraphQLList(Enrolment), resolve: () => 'e1' },
        inherited: { type: Enrolment, resolve: () => Object.create(handedOn as object) as unknown },
      },
    }),
  });
}

/** A projection made for another request (set by the test that needs it). */
let handedOn: unknown;

const ENROLMENT = { id: 'e1', course: { title: 'Safety' }, progress: 40, sponsor: 'org-1', status: 'IN_PROGRESS', results: [{ id: 'r1', enrolmentId: 'e1', score: 7.5 }] };
const DOCUMENT = '{ enrolment { id progress sponsor status results { id score } } page { nodes { id progress } } }';

describe('the gate as projections (installProjections)', () => {
  it('serves an allowed gated value and records it; a denied one is null and not recorded', async () => {
    const schema = installProjections(buildSchema());
    const { view, marked } = gatedView({ e1: ['PROGRESS', 'ASSESSMENT_RESULTS'] });
    const result = await graphql({ schema, source: DOCUMENT, contextValue: { view } });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      enrolment: { id: 'e1', progress: 40, sponsor: null, status: null, results: [{ id: 'r1', score: 7.5 }] },
      page: { nodes: [[{ id: 'e1', progress: 40 }], [{ id: 'e1', progress: 40 }]] },
    });
    expect(new Set(marked)).toEqual(new Set(['e1:PROGRESS', 'e1:ASSESSMENT_RESULTS']));
  });

  it('answers the same through graphql-jit, which reads the getters as properties', async () => {
    const schema = installProjections(buildSchema());
    const compiled = compileQuery(schema, parse(DOCUMENT));
    if (!isCompiledQuery(compiled)) throw new Error('not compiled');
    const { view, marked } = gatedView({ e1: ['ENROLMENT_STATUS'] });
    const result = await compiled.query(undefined, { view }, {});
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      enrolment: { id: 'e1', progress: null, sponsor: null, status: 'IN_PROGRESS', results: null },
      page: { nodes: [[{ id: 'e1', progress: null }], [{ id: 'e1', progress: null }]] },
    });
    expect(marked).toEqual(['e1:ENROLMENT_STATUS']);
  });

  it('shows everything to a full view (provider staff, the learner) and records nothing', async () => {
    const schema = installProjections(buildSchema());
    const result = await graphql({ schema, source: '{ enrolment { progress sponsor status results { score } } }', contextValue: { view: new FullView() } });
    expect(result.data).toEqual({ enrolment: { progress: 40, sponsor: 'org-1', status: 'IN_PROGRESS', results: [{ score: 7.5 }] } });
  });

  it('withholds everything when the context has no view', async () => {
    const schema = installProjections(buildSchema());
    const result = await graphql({ schema, source: '{ enrolment { id progress status } }', contextValue: {} });
    expect(result.data).toEqual({ enrolment: { id: 'e1', progress: null, status: null } });
  });

  it('refuses a bare record: graphql-js with an error that shows none of its values, graphql-jit without a throw into its compiled code', () => {
    const type = installProjections(buildSchema()).getType('Enrolment') as GraphQLObjectType;
    let thrown: unknown;
    try {
      void type.isTypeOf!(ENROLMENT, {}, {} as never);
    } catch (e) {
      thrown = e;
    }
    expect(String(thrown)).toContain('a record of a learner-data type reached GraphQL without the gate');
    expect(String(thrown)).not.toMatch(/org-1|IN_PROGRESS|40/);
    // graphql-jit passes the value alone.
    expect((type.isTypeOf as (value: unknown) => boolean)(ENROLMENT)).toBe(false);
  });

  it('a bare record that bypassed the projection fails the field on both engines; jit still answers', async () => {
    const schema = installProjections(buildSchema());
    // A path that does not project, as a bug would make one: the page's nodes as bare records, one through a promise.
    (schema.getType('Page') as GraphQLObjectType).getFields().nodes.resolve = () => [[Promise.resolve(ENROLMENT)], [ENROLMENT]];
    const source = '{ page { nodes { id progress } } }';
    const { view, marked } = gatedView({ e1: ['PROGRESS'] });
    const interpreted = await graphql({ schema, source, contextValue: { view } });
    expect(interpreted.errors?.map((e) => e.message)).toEqual([
      'a record of a learner-data type reached GraphQL without the gate (sharing/gate/projection.ts)',
      'a record of a learner-data type reached GraphQL without the gate (sharing/gate/projection.ts)',
    ]);
    expect(interpreted.data).toEqual({ page: { nodes: [[null], [null]] } });
    const compiled = compileQuery(schema, parse(source));
    if (!isCompiledQuery(compiled)) throw new Error('not compiled');
    const result = await compiled.query(undefined, { view }, {});
    expect(result.errors?.length).toBe(2);
    expect(result.data).toEqual({ page: { nodes: [[null], [null]] } });
    expect(marked).toEqual([]);
  });

  it('a gate that fails is an error of that field on both engines, never a value', async () => {
    const schema = installProjections(buildSchema());
    const view = {
      kind: 'GATED',
      gateOf: () => ({
        decision: () => {
          throw new Error('no decision');
        },
        mark: () => undefined,
      }),
    } as unknown as RequestView;
    const source = '{ page { nodes { id progress } } }';
    const interpreted = await graphql({ schema, source, contextValue: { view } });
    expect(interpreted.data).toEqual({ page: { nodes: [[{ id: 'e1', progress: null }], [{ id: 'e1', progress: null }]] } });
    expect(interpreted.errors?.map((e) => e.message)).toEqual(['no decision', 'no decision']);
    const compiled = compileQuery(schema, parse(source));
    if (!isCompiledQuery(compiled)) throw new Error('not compiled');
    const result = await compiled.query(undefined, { view }, {});
    expect(result.data).toEqual({ page: { nodes: [[{ id: 'e1', progress: null }], [{ id: 'e1', progress: null }]] } });
    expect(result.errors?.length).toBe(2);
  });

  it('reads an object of a type without learner data from the record', async () => {
    const schema = installProjections(buildSchema());
    const { view } = gatedView({});
    const result = await graphql({ schema, source: '{ enrolment { course { title } } }', contextValue: { view } });
    expect(result).toEqual({ data: { enrolment: { course: { title: 'Safety' } } } });
  });

  it("a projection handed on from another request is seen through this request's view; copies, errors and non-lists fail", async () => {
    const schema = installProjections(buildSchema());
    const full = new FullView();
    const resolve = (schema.getType('Query') as GraphQLObjectType).getFields().enrolment.resolve!;
    handedOn = await (resolve(undefined, {}, { view: full }, undefined as never));
    const { view, marked } = gatedView({});
    const source = '{ handedOn { id progress sponsor } failing { id } notAList { id } inherited { id progress } }';
    for (const run of [
      () => graphql({ schema, source, contextValue: { view } }),
      () => {
        const compiled = compileQuery(schema, parse(source));
        if (!isCompiledQuery(compiled)) throw new Error('not compiled');
        return compiled.query(undefined, { view }, {});
      },
    ]) {
      const result = await run();
      expect(result.data).toEqual({ handedOn: { id: 'e1', progress: null, sponsor: null }, failing: null, notAList: null, inherited: null });
      expect(result.errors?.length).toBe(3);
    }
    expect(marked).toEqual([]);
  });

  it('refuses, when the schema is built, a field name JavaScript itself reads on objects (then, toJSON, constructor…)', () => {
    for (const name of ['then', 'toJSON', 'constructor', 'valueOf']) {
      const schema = new GraphQLSchema({
        query: new GraphQLObjectType({
          name: 'Query',
          fields: { e: { type: new GraphQLObjectType({ name: 'E', fields: { id: { type: GraphQLID }, [name]: { type: GraphQLString, extensions: gated('PROGRESS') } } }) } },
        }),
      });
      expect(() => installProjections(schema)).toThrow(`E.${name}: a field of a learner-data type may not have a name`);
    }
  });

  it('prints as its type, never with the record inside (error messages, logs)', async () => {
    const schema = installProjections(buildSchema());
    const { view } = gatedView({ e1: ['PROGRESS'] });
    const resolve = (schema.getType('Query') as GraphQLObjectType).getFields().enrolment.resolve!;
    const projection = await (resolve(undefined, {}, { view }, undefined as never) as Promise<unknown>);
    const jitInspect = (createInspect as () => (v: unknown) => string)();
    for (const printed of [JSON.stringify(projection), inspect(projection, { depth: 5, showHidden: true }), graphqlInspect(projection), jitInspect(projection)]) {
      expect(printed).toContain('Enrolment through the gate');
      expect(printed).not.toMatch(/org-1|IN_PROGRESS|40/);
    }
    // A copy of it holds nothing of the record either.
    expect(JSON.stringify({ ...(projection as object) })).toBe('{}');
  });

  it('refuses, when the schema is built, an abstract type over a learner-data type', () => {
    const schema = buildSchema();
    const union = new GraphQLUnionType({ name: 'Anything', types: [schema.getType('Enrolment') as GraphQLObjectType] });
    const withUnion = new GraphQLSchema({ ...schema.toConfig(), types: [...schema.toConfig().types, union] });
    expect(() => installProjections(withUnion)).toThrow('Anything is abstract over Enrolment');
  });
});
