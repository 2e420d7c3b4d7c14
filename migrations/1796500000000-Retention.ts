import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention as data (docs/retention.md): the rules, seeded with the provider's defaults; erasures
 * and what they hold back; the recipients to be told of an erasure; and the reports of the
 * retention job.
 */
export class Retention1796500000000 implements MigrationInterface {
  name = 'Retention1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."retention_record_kind" AS ENUM('ENROLMENT_ADMINISTRATION', 'CERTIFICATE', 'LEDGER_ENTRY', 'LEARNER_REQUEST')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."retention_event" AS ENUM('ENROLMENT_ENDED', 'CERTIFICATE_ISSUED', 'DISCLOSED', 'REQUEST_ANSWERED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "retention_rules" ("record_kind" "public"."retention_record_kind" NOT NULL, "accreditation_body" text NOT NULL DEFAULT '', "legal_ground" text NOT NULL, "period_months" integer NOT NULL, "counted_from" "public"."retention_event" NOT NULL, "updated_by" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "retention_rules_period_chk" CHECK ("period_months" >= 0 AND "period_months" <= 1200), CONSTRAINT "PK_216b79ed8eb3ecd8ad68d20fbf8" PRIMARY KEY ("record_kind", "accreditation_body"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "erasures" ("learner_id" uuid NOT NULL, "request_id" uuid, "carried_out_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "holds" jsonb NOT NULL DEFAULT '[]', "completed_at" TIMESTAMP WITH TIME ZONE, "not_told_reason" text, CONSTRAINT "PK_79bfd08353a50d889c92d59a2ad" PRIMARY KEY ("learner_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "recipient_notices" ("id" uuid NOT NULL, "recipient_id" uuid NOT NULL, "learner_id" uuid NOT NULL, "reason" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b660da4eee0d325772e0bd96aa2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "recipient_notices_unsent_idx" ON "recipient_notices"  ("recipient_id") WHERE "sent_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "retention_runs" ("id" uuid NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, "counts" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_80f0aec401112f8d4bad156a908" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "erasures" ADD CONSTRAINT "FK_79bfd08353a50d889c92d59a2ad" FOREIGN KEY ("learner_id") REFERENCES "learners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Foreign keys of the requests register that the retention job's deletes follow.
    await queryRunner.query(`CREATE INDEX "staff_alerts_request_idx" ON "staff_alerts" ("request_id")`);
    await queryRunner.query(`CREATE INDEX "learner_exports_request_idx" ON "learner_exports" ("request_id")`);
    // The provider's defaults (docs/retention.md); staff change them through the API.
    await queryRunner.query(`INSERT INTO "retention_rules" ("record_kind", "accreditation_body", "legal_ground", "period_months", "counted_from", "updated_by") VALUES
          ('ENROLMENT_ADMINISTRATION', '', 'Fiscal retention duty (art. 52 Algemene wet inzake rijksbelastingen, art. 2:10 BW): the administration of enrolments and their invoicing, 7 years', 84, 'ENROLMENT_ENDED', 'migration'),
          ('CERTIFICATE', '', 'Accreditation: certificates and points are kept for the accreditation body''s register period (default 5 years; a rule per body overrides it)', 60, 'CERTIFICATE_ISSUED', 'migration'),
          ('LEDGER_ENTRY', '', 'Accountability (GDPR art. 5(2)): proof that each disclosure was lawful, for the proof period of the disclosure ledger', 84, 'DISCLOSED', 'migration'),
          ('LEARNER_REQUEST', '', 'Accountability (GDPR art. 5(2) and 12): proof that each request was answered, and how, in time', 60, 'REQUEST_ANSWERED', 'migration')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."learner_exports_request_idx"`);
    await queryRunner.query(`DROP INDEX "public"."staff_alerts_request_idx"`);
    await queryRunner.query(
      `ALTER TABLE "erasures" DROP CONSTRAINT "FK_79bfd08353a50d889c92d59a2ad"`,
    );
    await queryRunner.query(`DROP TABLE "retention_runs"`);
    await queryRunner.query(`DROP INDEX "public"."recipient_notices_unsent_idx"`);
    await queryRunner.query(`DROP TABLE "recipient_notices"`);
    await queryRunner.query(`DROP TABLE "erasures"`);
    await queryRunner.query(`DROP TABLE "retention_rules"`);
    await queryRunner.query(`DROP TYPE "public"."retention_event"`);
    await queryRunner.query(`DROP TYPE "public"."retention_record_kind"`);
  }
}
