import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per category, when an enrolment's values last changed (src/enrolments/category-changes.ts):
 * incremental sync selects by the times of categories shared with the caller only. Existing rows
 * get every category at their last change, which is what a single `updated_at` said before.
 * And live enrolments become unique per sponsor (see enrolment.entity.ts).
 */
export class CategoryChangeTimes1795700000000 implements MigrationInterface {
  name = 'CategoryChangeTimes1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "enrolments" ADD "changed_at" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(
      `UPDATE "enrolments" SET "changed_at" = (SELECT jsonb_object_agg(c, "updated_at") FROM unnest(enum_range(NULL::disclosure_category)) c)`,
    );
    // One live enrolment per learner, course and sponsor (no sponsor counts as one): an employer's
    // enrolment no longer collides with, and so no longer reveals, a private one on the same course.
    await queryRunner.query(`DROP INDEX "public"."enrolments_live_uq"`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "enrolments_live_uq" ON "enrolments" ("learner_id", "course_id", coalesce("sponsor_employer_id", '00000000-0000-0000-0000-000000000000'::uuid)) WHERE "status" <> 'WITHDRAWN'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."enrolments_live_uq"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "enrolments_live_uq" ON "enrolments" ("learner_id", "course_id") WHERE "status" <> 'WITHDRAWN'`);
    await queryRunner.query(`ALTER TABLE "enrolments" DROP COLUMN "changed_at"`);
  }
}
