import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The learner's rights (docs/learner-rights.md): the register of data-subject requests with its
 * deadlines, staff alerts of requests about to fall due, the log of corrections, and exports
 * (JSON and PDF, kept in chunks until they expire).
 */
export class LearnerRights1796300000000 implements MigrationInterface {
  name = 'LearnerRights1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."request_kind" AS ENUM('ACCESS', 'PORTABILITY', 'RECTIFICATION', 'ERASURE', 'RESTRICTION', 'OBJECTION', 'CONSENT_WITHDRAWAL')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."request_channel" AS ENUM('API', 'EMAIL', 'LETTER', 'PHONE', 'IN_PERSON')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."request_status" AS ENUM('RECEIVED', 'IN_PROGRESS', 'ANSWERED', 'REJECTED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "data_subject_requests" ("id" uuid NOT NULL, "learner_id" uuid NOT NULL, "kind" "public"."request_kind" NOT NULL, "channel" "public"."request_channel" NOT NULL, "details" text, "identity_verification" text NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "recorded_by" text NOT NULL, "original_due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "extended_until" TIMESTAMP WITH TIME ZONE, "extension_reason" text, "status" "public"."request_status" NOT NULL DEFAULT 'RECEIVED', "answered_at" TIMESTAMP WITH TIME ZONE, "answered_by" text, "answer" text, "reminded_week_at" TIMESTAMP WITH TIME ZONE, "reminded_day_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "data_subject_requests_final_chk" CHECK (("status" IN ('ANSWERED', 'REJECTED')) = ("answered_at" IS NOT NULL)), CONSTRAINT "data_subject_requests_extension_chk" CHECK ("extended_until" IS NULL OR ("extension_reason" IS NOT NULL AND "extended_until" > "original_due_at")), CONSTRAINT "PK_7bd74287e894f1a89709e8fc120" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "data_subject_requests_open_idx" ON "data_subject_requests"  ("due_at") WHERE "status" IN ('RECEIVED', 'IN_PROGRESS')`,
    );
    await queryRunner.query(
      `CREATE INDEX "data_subject_requests_learner_idx" ON "data_subject_requests"  ("learner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."staff_alert_kind" AS ENUM('REQUEST_DUE_IN_A_WEEK', 'REQUEST_DUE_TOMORROW')`,
    );
    await queryRunner.query(
      `CREATE TABLE "staff_alerts" ("id" uuid NOT NULL, "kind" "public"."staff_alert_kind" NOT NULL, "request_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "read_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_550f916b8d83d3ea0af849b74c4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "staff_alerts_unread_idx" ON "staff_alerts"  ("id") WHERE "read_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."changed_record" AS ENUM('LEARNER', 'EMPLOYMENT')`,
    );
    await queryRunner.query(
      `CREATE TABLE "learner_changes" ("id" uuid NOT NULL, "learner_id" uuid NOT NULL, "record" "public"."changed_record" NOT NULL, "record_id" uuid NOT NULL, "field" text NOT NULL, "changed_by" text NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9065cf223cab5113b661aa671bf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "learner_changes_learner_idx" ON "learner_changes"  ("learner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."export_status" AS ENUM('PENDING', 'READY', 'FAILED', 'EXPIRED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "learner_exports" ("id" uuid NOT NULL, "learner_id" uuid NOT NULL, "request_id" uuid, "status" "public"."export_status" NOT NULL DEFAULT 'PENDING', "locale" "public"."locale" NOT NULL, "requested_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ready_at" TIMESTAMP WITH TIME ZONE, "expires_at" TIMESTAMP WITH TIME ZONE, "json_bytes" integer, "pdf_bytes" integer, "json_sha256" text, "pdf_sha256" text, CONSTRAINT "PK_5b5eb31f7898ba39f478f35162d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "learner_exports_expiry_idx" ON "learner_exports"  ("expires_at") WHERE "status" = 'READY'`,
    );
    await queryRunner.query(
      `CREATE INDEX "learner_exports_learner_idx" ON "learner_exports"  ("learner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "learner_export_chunks" ("export_id" uuid NOT NULL, "format" text NOT NULL, "seq" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "PK_13bc86e38dfda68fc84247dd892" PRIMARY KEY ("export_id", "format", "seq"))`,
    );
    await queryRunner.query(`ALTER TYPE "public"."notification_kind" ADD VALUE 'REQUEST_RECEIVED'`);
    await queryRunner.query(`ALTER TYPE "public"."notification_kind" ADD VALUE 'REQUEST_EXTENDED'`);
    await queryRunner.query(`ALTER TYPE "public"."notification_kind" ADD VALUE 'REQUEST_ANSWERED'`);
    await queryRunner.query(`ALTER TYPE "public"."notification_kind" ADD VALUE 'REQUEST_REJECTED'`);
    await queryRunner.query(`ALTER TYPE "public"."notification_kind" ADD VALUE 'EXPORT_READY'`);
    await queryRunner.query(
      `ALTER TABLE "data_subject_requests" ADD CONSTRAINT "FK_8441f920d9bfc089518b5c87b64" FOREIGN KEY ("learner_id") REFERENCES "learners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "staff_alerts" ADD CONSTRAINT "FK_cb952735dfeac6266c294e12832" FOREIGN KEY ("request_id") REFERENCES "data_subject_requests"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "learner_changes" ADD CONSTRAINT "FK_1c4558d3f49da1d3909033f022b" FOREIGN KEY ("learner_id") REFERENCES "learners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "learner_exports" ADD CONSTRAINT "FK_d5770472c5b0fca01317dd4ab9c" FOREIGN KEY ("learner_id") REFERENCES "learners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "learner_exports" ADD CONSTRAINT "FK_c342b04c1bc52a5d587a4b06d74" FOREIGN KEY ("request_id") REFERENCES "data_subject_requests"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "learner_export_chunks" ADD CONSTRAINT "FK_eb418564e8cd0782df9e92aa6bd" FOREIGN KEY ("export_id") REFERENCES "learner_exports"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "learner_export_chunks" DROP CONSTRAINT "FK_eb418564e8cd0782df9e92aa6bd"`,
    );
    await queryRunner.query(
      `ALTER TABLE "learner_exports" DROP CONSTRAINT "FK_c342b04c1bc52a5d587a4b06d74"`,
    );
    await queryRunner.query(
      `ALTER TABLE "learner_exports" DROP CONSTRAINT "FK_d5770472c5b0fca01317dd4ab9c"`,
    );
    await queryRunner.query(
      `ALTER TABLE "learner_changes" DROP CONSTRAINT "FK_1c4558d3f49da1d3909033f022b"`,
    );
    await queryRunner.query(
      `ALTER TABLE "staff_alerts" DROP CONSTRAINT "FK_cb952735dfeac6266c294e12832"`,
    );
    await queryRunner.query(
      `ALTER TABLE "data_subject_requests" DROP CONSTRAINT "FK_8441f920d9bfc089518b5c87b64"`,
    );
    // Notifications of the new kinds cannot be kept under the old type.
    await queryRunner.query(
      `DELETE FROM "notifications" WHERE "kind"::text IN ('REQUEST_RECEIVED', 'REQUEST_EXTENDED', 'REQUEST_ANSWERED', 'REQUEST_REJECTED', 'EXPORT_READY')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."notification_kind_old" AS ENUM('DISCLOSURE', 'AGREEMENT_COVERS_YOU', 'CONSENT_RECORDED', 'CONSENT_WITHDRAWN', 'OBJECTION_RECORDED', 'OBJECTION_LIFTED', 'RESTRICTION_RECORDED', 'RESTRICTION_LIFTED', 'ENROLLED')`,
    );
    await queryRunner.query(
      `ALTER TABLE "notifications" ALTER COLUMN "kind" TYPE "public"."notification_kind_old" USING "kind"::"text"::"public"."notification_kind_old"`,
    );
    await queryRunner.query(`DROP TYPE "public"."notification_kind"`);
    await queryRunner.query(
      `ALTER TYPE "public"."notification_kind_old" RENAME TO "notification_kind"`,
    );
    await queryRunner.query(`DROP TABLE "learner_export_chunks"`);
    await queryRunner.query(`DROP INDEX "public"."learner_exports_learner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."learner_exports_expiry_idx"`);
    await queryRunner.query(`DROP TABLE "learner_exports"`);
    await queryRunner.query(`DROP TYPE "public"."export_status"`);
    await queryRunner.query(`DROP INDEX "public"."learner_changes_learner_idx"`);
    await queryRunner.query(`DROP TABLE "learner_changes"`);
    await queryRunner.query(`DROP TYPE "public"."changed_record"`);
    await queryRunner.query(`DROP INDEX "public"."staff_alerts_unread_idx"`);
    await queryRunner.query(`DROP TABLE "staff_alerts"`);
    await queryRunner.query(`DROP TYPE "public"."staff_alert_kind"`);
    await queryRunner.query(`DROP INDEX "public"."data_subject_requests_learner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."data_subject_requests_open_idx"`);
    await queryRunner.query(`DROP TABLE "data_subject_requests"`);
    await queryRunner.query(`DROP TYPE "public"."request_status"`);
    await queryRunner.query(`DROP TYPE "public"."request_channel"`);
    await queryRunner.query(`DROP TYPE "public"."request_kind"`);
  }
}
