import type { CourseEntity } from '../../src/enrolments/course.entity';
import type { EnrolmentEntity } from '../../src/enrolments/enrolment.entity';
import type { LearnerEntity } from '../../src/learners/learner.entity';
import type { OrganisationEntity } from '../../src/organisations/organisation.entity';
import { retireIntoAnalysis } from '../../src/rights/analysis/analysis-store';
import { staffClaims, world } from '../factories/world';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * The anonymised analysis (docs/analysis.md): counts per course and enrolment month, small cells
 * suppressed, nothing that identifies a learner in the answer, and erased learners still counted.
 */
describe('anonymised analysis', () => {
  let t: TestApp;
  let w: ReturnType<typeof world>;
  let provider: OrganisationEntity;
  let staff: string;

  const CELL = `courseId courseCode courseTitle month suppressed learners enrolments completions averageScorePercent`;
  const analysis = (variables: Record<string, unknown>) =>
    t.gql(staff, `query($from: DateTime!, $until: DateTime!, $courseId: ID) { courseAnalysis(from: $from, until: $until, courseId: $courseId) { ${CELL} } }`, variables);
  /** The whole of 2025 on the Amsterdam calendar. */
  const YEAR_2025 = { from: '2024-12-31T23:00:00.000Z', until: '2025-12-31T23:00:00.000Z' };

  beforeAll(async () => {
    t = await createTestApp();
    w = world(t.db);
    provider = await w.organisation('PROVIDER');
    staff = t.token(staffClaims(provider.id));
  });
  afterAll(() => t.close());

  /** `n` new learners, each enrolled once in `course` at `enrolledAt`. */
  const cohort = async (course: CourseEntity, n: number, enrolledAt: string, over: Partial<EnrolmentEntity> = {}) => {
    const out: { learner: LearnerEntity; enrolment: EnrolmentEntity }[] = [];
    for (let i = 0; i < n; i++) {
      const learner = await w.learner();
      out.push({ learner, enrolment: await w.enrolment(learner.id, course.id, provider.id, { enrolledAt: new Date(enrolledAt), ...over }) });
    }
    return out;
  };

  it('a cell of fewer than 5 learners is suppressed, also when they have 5 enrolments; 5 learners are shown', async () => {
    const course = await w.course();
    const four = await cohort(course, 4, '2025-03-10T10:00:00.000Z', { status: 'COMPLETED', completedAt: new Date('2025-03-20T10:00:00.000Z') });
    // One of the four withdrew and enrolled again: 5 enrolments, still 4 people.
    await w.enrolment(four[0].learner.id, course.id, provider.id, { enrolledAt: new Date('2025-03-02T10:00:00.000Z'), status: 'WITHDRAWN' });
    for (const { enrolment } of four) await w.result(enrolment.id, { score: 90, maxScore: 100 });
    await cohort(course, 5, '2025-04-10T10:00:00.000Z');

    const res = await analysis({ ...YEAR_2025, courseId: course.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.courseAnalysis).toEqual([
      { courseId: course.id, courseCode: course.code, courseTitle: course.title, month: '2025-03', suppressed: true, learners: null, enrolments: null, completions: null, averageScorePercent: null },
      { courseId: course.id, courseCode: course.code, courseTitle: course.title, month: '2025-04', suppressed: false, learners: 5, enrolments: 5, completions: 0, averageScorePercent: null },
    ]);
  });

  it('counts per course and Amsterdam month: enrolments, completions, distinct learners, the average score of 5 or more learners', async () => {
    const course = await w.course();
    // 1 March 2025 00:30 in Amsterdam (CET) is still February in UTC: a March enrolment.
    const march = await cohort(course, 5, '2025-02-28T23:30:00.000Z');
    // 1 April 2025 00:30 in Amsterdam (CEST) is still March in UTC: an April enrolment.
    await cohort(course, 5, '2025-03-31T22:30:00.000Z');
    // A sixth March learner enrolled twice (withdrawn, then again): 7 enrolments, 6 learners.
    const [sixth] = await cohort(course, 1, '2025-03-05T09:00:00.000Z', { status: 'WITHDRAWN' });
    await w.enrolment(sixth.learner.id, course.id, provider.id, { enrolledAt: new Date('2025-03-06T09:00:00.000Z'), status: 'COMPLETED', completedAt: new Date('2025-05-01T09:00:00.000Z') });
    for (const { enrolment } of march.slice(0, 2)) await t.db.query(`UPDATE enrolments SET status = 'COMPLETED', completed_at = now() WHERE id = $1`, [enrolment.id]);
    // Scores as a percentage of their maximum: 50, 100, 75, 80, 60 and a second attempt of 70.
    const scores: [number, number][] = [[5, 10], [20, 20], [30, 40], [80, 100], [12, 20]];
    for (const [i, [score, maxScore]] of scores.entries()) await w.result(march[i].enrolment.id, { score, maxScore, passed: score / maxScore >= 0.6 });
    await w.result(march[4].enrolment.id, { score: 70, maxScore: 100 });
    // Another course's enrolments stay out of this course's cells.
    await cohort(await w.course(), 5, '2025-03-10T10:00:00.000Z');

    const res = await analysis({ ...YEAR_2025, courseId: course.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.courseAnalysis.map(({ courseId: _id, courseCode: _code, courseTitle: _title, ...cell }: any) => cell)).toEqual([
      { month: '2025-03', suppressed: false, learners: 6, enrolments: 7, completions: 3, averageScorePercent: 72.5 },
      { month: '2025-04', suppressed: false, learners: 5, enrolments: 5, completions: 0, averageScorePercent: null },
    ]);

    // Whole months only: any instant in March selects all of March, never a part of it.
    const partOfMarch = await analysis({ from: '2025-03-20T00:00:00.000Z', until: '2025-03-21T00:00:00.000Z', courseId: course.id });
    expect(partOfMarch.data.courseAnalysis).toEqual([res.data.courseAnalysis[0]]);
    // All courses: this course's cells are among them, unchanged.
    const all = await analysis(YEAR_2025);
    expect(all.data.courseAnalysis.filter((c: any) => c.courseId === course.id)).toEqual(res.data.courseAnalysis);
  });

  it('erased learners still count: retireIntoAnalysis, then deleting them, leaves every cell as it was', async () => {
    const course = await w.course();
    const june = await cohort(course, 6, '2025-06-10T10:00:00.000Z', { status: 'COMPLETED', completedAt: new Date('2025-06-30T10:00:00.000Z') });
    for (const [i, { enrolment }] of june.entries()) await w.result(enrolment.id, { score: 60 + i * 5, maxScore: 100 });
    // One learner with two enrolments in the cell: one is purged now, the other stays for a while.
    const twice = june[5].learner;
    const older = await w.enrolment(twice.id, course.id, provider.id, { enrolledAt: new Date('2025-06-01T10:00:00.000Z'), status: 'WITHDRAWN' });
    await cohort(course, 2, '2025-07-10T10:00:00.000Z');
    const before = await analysis({ ...YEAR_2025, courseId: course.id });
    expect(before.data.courseAnalysis.map((c: any) => [c.month, c.learners, c.enrolments, c.completions, c.averageScorePercent])).toEqual([
      ['2025-06', 6, 7, 6, 72.5],
      ['2025-07', null, null, null, null],
    ]);

    const retireAndDelete = (ids: string[], remove: (em: import('typeorm').EntityManager) => Promise<unknown>) =>
      // As the application role, in one transaction, like the erasure code will.
      t.db.transaction(async (em) => {
        await retireIntoAnalysis(em, ids);
        await remove(em);
      });

    // Part of one learner's enrolments (a purge): the learner is still counted once.
    await retireAndDelete([older.id], (em) => em.query(`DELETE FROM enrolments WHERE id = $1`, [older.id]));
    expect((await analysis({ ...YEAR_2025, courseId: course.id })).data).toEqual(before.data);

    // Three learners erased: their enrolments and results go by cascade with them.
    const erased = june.slice(0, 3);
    await retireAndDelete(
      erased.map((e) => e.enrolment.id),
      (em) => em.query(`DELETE FROM learners WHERE id = ANY($1::uuid[])`, [erased.map((e) => e.learner.id)]),
    );
    expect(await t.db.query(`SELECT count(*)::int AS n FROM enrolments WHERE course_id = $1 AND enrolled_at < '2025-07-01'`, [course.id])).toEqual([{ n: 3 }]);
    expect((await analysis({ ...YEAR_2025, courseId: course.id })).data).toEqual(before.data);

    // Then everyone else in the course: the cells live on from counts alone.
    const rest = await t.db.query<{ id: string }[]>(`SELECT id FROM enrolments WHERE course_id = $1`, [course.id]);
    await retireAndDelete(
      rest.map((r) => r.id),
      (em) => em.query(`DELETE FROM enrolments WHERE course_id = $1`, [course.id]),
    );
    expect(await t.db.query(`SELECT count(*)::int AS n FROM enrolments WHERE course_id = $1`, [course.id])).toEqual([{ n: 0 }]);
    expect((await analysis({ ...YEAR_2025, courseId: course.id })).data).toEqual(before.data);

    // What is kept has no column that could hold a learner: counts, and the course and month.
    const columns = await t.db.query<{ column_name: string; data_type: string }[]>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'analysis_retired' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
      'course_id uuid',
      'month date',
      'enrolments integer',
      'completions integer',
      'learners integer',
      'scored_learners integer',
      'score_sum numeric',
      'score_count integer',
    ]);
    // Nothing to retire is nothing to do.
    await t.db.transaction((em) => retireIntoAnalysis(em, []));
  });

  it('the answer holds no learner id, name or email, nor an enrolment id', async () => {
    const course = await w.course();
    const people = [...(await cohort(course, 6, '2025-09-10T10:00:00.000Z')), ...(await cohort(course, 2, '2025-10-10T10:00:00.000Z'))];
    for (const { enrolment } of people) await w.result(enrolment.id);
    const res = await analysis({ ...YEAR_2025, courseId: course.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.courseAnalysis).toHaveLength(2);
    const text = JSON.stringify(res.body).toLowerCase();
    for (const { learner, enrolment } of people) {
      for (const value of [learner.id, learner.name, learner.email, enrolment.id]) expect(text).not.toContain(value.toLowerCase());
    }
  });

  it('provider staff only: learners, employers and brokers are refused', async () => {
    const learner = await w.learner();
    const tokens = [
      t.token({ sub: learner.id, kind: 'LEARNER' }),
      t.token((await w.apiClient(await w.organisation('EMPLOYER'))).claims),
      t.token((await w.apiClient(await w.organisation('BROKER'))).claims),
    ];
    for (const token of tokens) {
      const res = await t.gql(token, `query($from: DateTime!, $until: DateTime!) { courseAnalysis(from: $from, until: $until) { ${CELL} } }`, YEAR_2025);
      expect(res.errors![0].extensions.code).toBe('FORBIDDEN');
      expect(res.data?.courseAnalysis ?? null).toBeNull();
    }
  });

  it('refuses a period that ends before it starts or spans more than 60 months, and a course id that is not one', async () => {
    const code = async (variables: Record<string, unknown>) => (await analysis(variables)).errors?.[0]?.extensions;
    expect(await code({ from: '2025-03-01T00:00:00.000Z', until: '2025-03-01T00:00:00.000Z' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'until' });
    expect(await code({ from: '2020-01-01T00:00:00.000Z', until: '2025-01-01T00:00:00.000Z' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'until' });
    expect(await code({ ...YEAR_2025, courseId: 'C1' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'courseId' });
    // 60 whole months is the most, and an unknown course has no cells.
    const longest = await analysis({ from: '2019-12-31T23:00:00.000Z', until: '2024-12-31T23:00:00.000Z', courseId: '0190a0b0-0000-7000-8000-000000000000' });
    expect(longest.errors).toBeUndefined();
    expect(longest.data.courseAnalysis).toEqual([]);
  });
});
