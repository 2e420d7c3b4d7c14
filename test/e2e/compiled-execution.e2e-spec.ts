import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { graphqlCompiled } from '../../src/common/metrics';
import { DemoSeedService, type DemoTokens } from '../../src/seed/demo-seed.service';
import { DEMO } from '../../src/seed/demo-ids';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * Queries run compiled by graphql-jit (docs/architecture.md, "The request path"). The same
 * operations, on the same data, against the app as it runs and against a second app on the same
 * database with the compiled engine off: the same answers, errors included, and the same ledger
 * entries. A compiled run that meets an error is dropped and runs again through graphql-js, and
 * only the run that answered can reach the ledger.
 */
describe('compiled execution', () => {
  let t: TestApp;
  let interpreted: INestApplication;
  let tokens: DemoTokens;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.get(DemoSeedService).seedOnce();
    tokens = t.app.get(DemoSeedService).demoTokens();
    interpreted = await createApp({ ...t.config, databaseUrl: t.config.databaseUrl!, graphql: { ...t.config.graphql, compiled: false } }, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await interpreted.close();
    await t.close();
  });

  const PAGE = `query Page($after: String, $first: Int) { learners(first: $first, after: $after) { nodes { id name employeeNumber enrolments { id courseId status enrolledAt startedAt startsOn progressPercent lastActivityAt timeSpentMinutes completedAt completed assessmentResults { assessmentName attemptedAt score maxScore passed } certificates { number issuedAt expiresAt accreditationPoints withheld { field reason } } accreditationPointsEarned withheld { field reason } } } edges { cursor } pageInfo { endCursor hasNextPage } } }`;

  async function ask(app: INestApplication, token: string, query: string, variables: Record<string, unknown> = {}) {
    const requestId = randomUUID();
    const res = await request(app.getHttpServer()).post('/graphql').set('authorization', `Bearer ${token}`).set('x-request-id', requestId).send({ query, variables });
    return { status: res.status, body: res.body as { data?: unknown; errors?: unknown[] }, requestId };
  }

  /** What the ledger holds for a request, without what differs between two requests (ids, times). */
  async function ledgered(requestId: string): Promise<unknown[]> {
    const rows = await t.admin.query<{ learner_id: string; recipient_id: string; content: string }[]>(
      `SELECT learner_id, recipient_id, content FROM disclosures WHERE request_id = $1 ORDER BY learner_id`,
      [requestId],
    );
    return rows.map((r) => ({ learnerId: r.learner_id, recipientId: r.recipient_id, items: (JSON.parse(r.content) as { items: unknown }).items }));
  }

  async function outcomes(): Promise<Record<string, number>> {
    const counts: Record<string, number> = { served: 0, fallback: 0, not_compilable: 0, first_seen: 0 };
    for (const v of (await graphqlCompiled.get()).values) counts[String(v.labels.outcome)] = v.value;
    return counts;
  }

  it('answers every reader exactly as graphql-js does, and ledgers the same', async () => {
    const cases: [string, string, string, Record<string, unknown>?][] = [
      ['employer page', tokens.hrPortal, PAGE, { first: 100 }],
      ['employer, pages of 3', tokens.hrPortal, PAGE, { first: 3 }],
      ['broker page', tokens.broker, PAGE, { first: 100 }],
      ['staff page', tokens.staff, PAGE, { first: 100 }],
      ['one learner', tokens.hrPortal, `query { learner(id: "${DEMO.learnerId(1)}") { id name enrolments { id status progressPercent withheld { field reason } } } }`],
      ['the learner', tokens.learner, `query { me { id name email } notifications(first: 20) { nodes { id kind } } }`],
      ['fragments, aliases, __typename', tokens.hrPortal, `query Q { a: learners(first: 2) { nodes { ...L } } b: learners(first: 1) { __typename nodes { id } } } fragment L on Learner { id enrolments { p: progressPercent s: status } }`],
    ];
    const enrolment = ((await ask(t.app, tokens.staff, `query { enrolments(first: 1) { nodes { id learnerId } } }`)).body.data as { enrolments: { nodes: { id: string; learnerId: string }[] } }).enrolments.nodes[0];
    // Relay-style edges, whose nodes come in turns (common/graphql/in-turns.ts), on every kind of
    // connection: served compiled too, not dropped and run again. The ledger's and the inbox's
    // oldest few, which later requests do not change.
    const EDGES = `query E($first: Int) { learners(first: $first) { edges { cursor node { id name enrolments { id progressPercent withheld { field reason } } } } } }`;
    cases.push(
      ['employer page as edges', tokens.hrPortal, EDGES, { first: 100 }],
      ['staff page as edges', tokens.staff, EDGES, { first: 100 }],
      ['staff enrolments as edges', tokens.staff, `query { enrolments(first: 20) { edges { cursor node { id course { title } assessmentResults { score } certificates { number } } } } }`],
      [
        'the ledger as edges',
        tokens.hrPortal,
        `query { disclosures(first: 3) { edges { cursor node { id recipient { name } onBehalfOf { name } items { courseTitle categories { category label basisLabel onBehalfOfOrganisation { name } agreement { id } } } } } } }`,
      ],
      ['the inbox as edges', tokens.learner, `query { notifications(first: 3) { edges { cursor node { id kind recipient { name } courseTitle disclosure { id items { courseTitle categories { label } } } } } } }`],
    );
    cases.push(['explain', tokens.staff, `query { explainDisclosure(learnerId: "${enrolment.learnerId}", enrolmentId: "${enrolment.id}", category: PROGRESS, recipientId: "${DEMO.employerId}") { allowed basis reasons } }`]);
    const before = await outcomes();
    for (const [what, token, query, variables] of cases) {
      const plain = await ask(interpreted, token, query, variables);
      // The first time a document comes it runs through graphql-js; the second time, compiled.
      for (const round of ['first seen', 'compiled']) {
        const compiled = await ask(t.app, token, query, variables);
        expect({ what, round, errors: compiled.body.errors }).toEqual({ what, round, errors: undefined });
        expect({ what, round, status: compiled.status, body: compiled.body }).toEqual({ what, round, status: plain.status, body: plain.body });
        expect({ what, round, ledger: await ledgered(compiled.requestId) }).toEqual({ what, round, ledger: await ledgered(plain.requestId) });
      }
    }
    // The gated pages disclosed something, so the ledger comparison above compared entries.
    const page = await ask(t.app, tokens.hrPortal, PAGE, { first: 100 });
    expect((await ledgered(page.requestId)).length).toBeGreaterThan(0);
    // A document ran through graphql-js the first time it came, compiled every time after (no
    // case has an error); cases that share a document share its compilation.
    const documents = new Set(cases.map(([, , query]) => query)).size;
    const after = await outcomes();
    expect(after.first_seen - before.first_seen).toBe(documents);
    expect(after.served - before.served).toBe(2 * cases.length - documents + 1);
  });

  it('does not compile @skip / @include, which graphql-jit 0.8 can get wrong for a fragment spread twice', async () => {
    const query = `query Q($a: Boolean!) { learners(first: 5) { nodes { id ...E @include(if: $a) enrolments { ...F @skip(if: $a) } } } } fragment E on Learner { name enrolments { ...F } } fragment F on Enrolment { id status progressPercent }`;
    for (const a of [true, false]) {
      const plain = await ask(interpreted, tokens.hrPortal, query, { a });
      const before = await outcomes();
      for (let i = 0; i < 3; i++) expect((await ask(t.app, tokens.hrPortal, query, { a })).body).toEqual(plain.body);
      expect((await outcomes()).served).toBe(before.served);
    }
  });

  it('a compiled run that meets an error is answered by graphql-js, and what the dropped run read is not ledgered', async () => {
    // The page resolves (and its values are marked disclosed) in the compiled run; the unknown
    // learner fails, and as every root field is non-null the whole answer is null: nothing left.
    const query = `query { learners(first: 100) { nodes { id enrolments { progressPercent } } } learner(id: "${randomUUID()}") { id } }`;
    await ask(t.app, tokens.hrPortal, query); // first seen: graphql-js
    const before = await outcomes();
    const compiled = await ask(t.app, tokens.hrPortal, query);
    const plain = await ask(interpreted, tokens.hrPortal, query);
    expect(compiled.body).toEqual(plain.body);
    expect(compiled.body.data).toBeNull();
    expect((compiled.body.errors as { extensions: { code: string } }[])[0].extensions.code).toBe('NOT_FOUND');
    expect((await outcomes()).fallback - before.fallback).toBe(1);
    expect(await ledgered(compiled.requestId)).toEqual([]);
    // The same page without the failing field is ledgered: the emptiness above is not for want of data.
    const ok = await ask(t.app, tokens.hrPortal, `query { learners(first: 100) { nodes { id enrolments { progressPercent } } } }`);
    expect((await ledgered(ok.requestId)).length).toBeGreaterThan(0);
  });

  it('bad input is refused alike, and mutations never run compiled', async () => {
    const bad = [
      [PAGE, { first: 'many' }],
      [PAGE, { after: 'not-a-cursor' }],
      [PAGE, { first: -1 }],
    ] as const;
    for (const [query, variables] of bad) {
      const plain = await ask(interpreted, tokens.hrPortal, query, variables);
      for (let i = 0; i < 2; i++) {
        const compiled = await ask(t.app, tokens.hrPortal, query, variables);
        expect(compiled.status).toBe(plain.status);
        expect(compiled.body).toEqual(plain.body);
        expect(JSON.stringify(compiled.body)).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED|BAD_REQUEST/);
      }
    }
    const before = await outcomes();
    const res = await ask(t.app, tokens.learner, `mutation { markNotificationsRead(ids: []) }`);
    expect(res.body.errors).toBeUndefined();
    expect(await outcomes()).toEqual(before);
  });
});
