import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { jsonRows, type JsonRow, type Lean, type StringsOfOneLoad } from '../common/database/json-rows';
import type { LoaderKey, RequestLoaders } from '../common/graphql/request-loaders';
import type { PageExtraColumns } from '../sharing/gate/gate-facts.loader';
import { AssessmentResultEntity } from './assessment-result.entity';
import { CertificateEntity } from './certificate.entity';
import { CourseEntity } from './course.entity';
import type { EnrolmentEntity } from './enrolment.entity';
import { CERTIFICATES_BY_ENROLMENT, COURSE_BY_ID, RESULTS_BY_ENROLMENT } from './enrolment-loaders';
import { GATED_CONNECTION } from '../common/database/gated-connection';

interface Child {
  /** Fields below the page's learners whose resolvers read this child. */
  selectedBy: readonly string[];
  /** JSON of the rows, reading the facts statement's CTE `e` (the page's enrolments). */
  sql: string;
  prime(loaders: RequestLoaders, enrolments: readonly Lean<EnrolmentEntity>[], rows: JsonRow[], strings: StringsOfOneLoad): void;
}

/**
 * The children of a gated page's enrolments — results, certificates, courses — loaded in the
 * gate's own facts statement when the query selects them, then primed into the request's
 * loaders: the field resolvers then answer synchronously and the page costs the same round trips
 * whatever it selects. Rows are mapped from the entities' metadata (common/database/json-rows.ts).
 *
 * Results and certificates are found through their enrolment index by the page's enrolment ids as
 * an array (`= ANY(ARRAY(…))`): with `IN (SELECT …)` PostgreSQL hash-joined a scan of the whole
 * table (37,600 results for 1,500 enrolments at 10,000 learners), work that grows with the table,
 * not the page (docs/benchmarks.md).
 */
@Injectable()
export class PageChildren {
  private readonly children: Record<'results' | 'certificates' | 'courses', Child>;

  constructor(@InjectDataSource(GATED_CONNECTION) dataSource: DataSource) {
    const results = jsonRows(dataSource, AssessmentResultEntity);
    const certificates = jsonRows(dataSource, CertificateEntity);
    const courses = jsonRows(dataSource, CourseEntity);
    this.children = {
      results: {
        selectedBy: ['assessmentResults'],
        sql: `(SELECT coalesce(json_agg(${results.select('x')} ORDER BY x.attempted_at, x.id), '[]') FROM assessment_results x WHERE x.enrolment_id = ANY(ARRAY(SELECT id FROM e)))`,
        prime: (loaders, enrolments, rows, strings) => primePerEnrolment(loaders, RESULTS_BY_ENROLMENT, enrolments, rows.map((r) => results.map(r, strings))),
      },
      certificates: {
        selectedBy: ['certificates', 'accreditationPointsEarned'],
        sql: `(SELECT coalesce(json_agg(${certificates.select('x')} ORDER BY x.issued_at, x.id), '[]') FROM certificates x WHERE x.enrolment_id = ANY(ARRAY(SELECT id FROM e)))`,
        prime: (loaders, enrolments, rows, strings) => primePerEnrolment(loaders, CERTIFICATES_BY_ENROLMENT, enrolments, rows.map((r) => certificates.map(r, strings))),
      },
      courses: {
        selectedBy: ['course'],
        sql: `(SELECT coalesce(json_agg(${courses.select('x')}), '[]') FROM courses x WHERE x.id IN (SELECT course_id FROM e))`,
        prime: (loaders, _enrolments, rows, strings) => {
          for (const course of rows.map((r) => courses.map(r, strings))) loaders.prime(COURSE_BY_ID, course.id, course);
        },
      },
    };
  }

  /** The extra facts-statement columns for the fields a query selects below its learners. */
  columnsFor(selected: ReadonlySet<string>): PageExtraColumns {
    const columns: PageExtraColumns = {};
    for (const [name, child] of Object.entries(this.children)) if (child.selectedBy.some((f) => selected.has(f))) columns[name] = child.sql;
    return columns;
  }

  /** Primes the request's loaders with what `columnsFor` brought. */
  prime(loaders: RequestLoaders, enrolments: readonly Lean<EnrolmentEntity>[], extras: Record<string, JsonRow[]>): void {
    // A result or certificate names its enrolment by the enrolment's own id string; a course's id
    // is the one its enrolments name (json-rows.ts, StringsOfOneLoad).
    const strings: StringsOfOneLoad = new Map();
    for (const e of enrolments) {
      strings.set(e.id, e.id);
      strings.set(e.courseId, e.courseId);
    }
    for (const [name, child] of Object.entries(this.children)) {
      const rows = extras[name];
      if (rows) child.prime(loaders, enrolments, rows, strings);
    }
  }
}

/** Every enrolment of the page gets its list (also an empty one), in the rows' order. */
function primePerEnrolment<T extends { enrolmentId: string }>(loaders: RequestLoaders, key: LoaderKey<T[]>, enrolments: readonly Lean<EnrolmentEntity>[], rows: T[]): void {
  const byEnrolment = new Map<string, T[]>(enrolments.map((e) => [e.id, []]));
  for (const r of rows) byEnrolment.get(r.enrolmentId)?.push(r);
  for (const [id, list] of byEnrolment) loaders.prime(key, id, list);
}
