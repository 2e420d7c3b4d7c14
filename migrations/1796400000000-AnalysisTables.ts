import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The anonymised analysis (docs/analysis.md): the counts of enrolments deleted by erasure or
 * retention, per course and enrolment month, so the analysis still counts those learners.
 * Counts only — no learner or enrolment id. The application role gets its grants on it at start
 * with every other table (src/database/roles.ts).
 */
export class AnalysisTables1796400000000 implements MigrationInterface {
  name = 'AnalysisTables1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "analysis_retired" ("course_id" uuid NOT NULL, "month" date NOT NULL, "enrolments" integer NOT NULL, "completions" integer NOT NULL, "learners" integer NOT NULL, "scored_learners" integer NOT NULL, "score_sum" numeric NOT NULL, "score_count" integer NOT NULL, CONSTRAINT "analysis_retired_counts_chk" CHECK ("enrolments" >= 0 AND "completions" BETWEEN 0 AND "enrolments" AND "learners" BETWEEN 0 AND "enrolments" AND "scored_learners" BETWEEN 0 AND "learners" AND "score_count" >= 0 AND "score_sum" >= 0), CONSTRAINT "PK_826d427fde6d2a080e9fd951359" PRIMARY KEY ("course_id", "month"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "analysis_retired" ADD CONSTRAINT "FK_097d65bdc3a5cafdbb904dcf42b" FOREIGN KEY ("course_id") REFERENCES "courses"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "analysis_retired" DROP CONSTRAINT "FK_097d65bdc3a5cafdbb904dcf42b"`);
    await queryRunner.query(`DROP TABLE "analysis_retired"`);
  }
}
