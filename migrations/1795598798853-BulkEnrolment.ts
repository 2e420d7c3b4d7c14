import { MigrationInterface, QueryRunner } from 'typeorm';

export class BulkEnrolment1795598798853 implements MigrationInterface {
  name = 'BulkEnrolment1795598798853';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "enrolment_requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "caller_organisation_id" uuid NOT NULL, "idempotency_key" text NOT NULL, "request_hash" text NOT NULL, "outcomes" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_318e71a35bffd986d2d287000c3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "enrolment_requests_key_uq" ON "enrolment_requests"  ("caller_organisation_id", "idempotency_key") `,
    );
    await queryRunner.query(`ALTER TABLE "enrolments" ADD "starts_on" date`);
    await queryRunner.query(`ALTER TYPE "public"."notification_kind" ADD VALUE 'ENROLLED'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."notification_kind_old" AS ENUM('DISCLOSURE', 'AGREEMENT_COVERS_YOU', 'CONSENT_RECORDED', 'CONSENT_WITHDRAWN', 'OBJECTION_RECORDED', 'OBJECTION_LIFTED', 'RESTRICTION_RECORDED', 'RESTRICTION_LIFTED')`,
    );
    await queryRunner.query(
      `ALTER TABLE "notifications" ALTER COLUMN "kind" TYPE "public"."notification_kind_old" USING "kind"::"text"::"public"."notification_kind_old"`,
    );
    await queryRunner.query(`DROP TYPE "public"."notification_kind"`);
    await queryRunner.query(
      `ALTER TYPE "public"."notification_kind_old" RENAME TO "notification_kind"`,
    );
    await queryRunner.query(`ALTER TABLE "enrolments" DROP COLUMN "starts_on"`);
    await queryRunner.query(`DROP INDEX "public"."enrolment_requests_key_uq"`);
    await queryRunner.query(`DROP TABLE "enrolment_requests"`);
  }
}
