import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1795596535565 implements MigrationInterface {
  name = 'InitialSchema1795596535565';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TYPE "public"."organisation_kind" AS ENUM('EMPLOYER', 'BROKER', 'PROVIDER')`,
    );
    await queryRunner.query(
      `CREATE TABLE "organisations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" "public"."organisation_kind" NOT NULL, "name" text NOT NULL, "chamber_of_commerce_number" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_bf49c34f8ff2189930b15e96c1f" UNIQUE ("chamber_of_commerce_number"), CONSTRAINT "PK_7bf54cba378d5b2f1d4c10ef4df" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "api_clients" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organisation_id" uuid NOT NULL, "name" text NOT NULL, "client_id" text NOT NULL, "secret_hash" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_2cc528aa877e26788808e581855" UNIQUE ("client_id"), CONSTRAINT "PK_ef2d5ef0eb5e9a6ddc67cfa310e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "api_clients_organisation_idx" ON "api_clients"  ("organisation_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "signing_keys" ("kid" text NOT NULL, "algorithm" text NOT NULL, "private_key_pem" text NOT NULL, "public_jwk" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "retired_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_13362ac3e792c69417e1a53d355" PRIMARY KEY ("kid"))`,
    );
    await queryRunner.query(`CREATE TYPE "public"."locale" AS ENUM('nl', 'en')`);
    await queryRunner.query(
      `CREATE TABLE "learners" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "email" text NOT NULL, "locale" "public"."locale" NOT NULL DEFAULT 'nl', "external_subject_id" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_996feb5d7ddf018caf820c46a37" UNIQUE ("email"), CONSTRAINT "UQ_e53367ea9daca4d907fc2b9f014" UNIQUE ("external_subject_id"), CONSTRAINT "PK_3e7273fda51b35b9c8e4f096d91" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "courses" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" text NOT NULL, "title" text NOT NULL, "accreditation_body" text, "accreditation_points" numeric(6,2), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_86b3589486bac01d2903e22471c" UNIQUE ("code"), CONSTRAINT "PK_3f70a487cc718ad8eda4e6d58c9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."enrolment_status" AS ENUM('ENROLLED', 'IN_PROGRESS', 'COMPLETED', 'WITHDRAWN')`,
    );
    await queryRunner.query(
      `CREATE TABLE "enrolments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "learner_id" uuid NOT NULL, "course_id" uuid NOT NULL, "sponsor_employer_id" uuid, "enrolled_by_id" uuid NOT NULL, "status" "public"."enrolment_status" NOT NULL DEFAULT 'ENROLLED', "enrolled_at" TIMESTAMP WITH TIME ZONE NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "progress_percent" smallint NOT NULL DEFAULT '0', "time_spent_minutes" integer NOT NULL DEFAULT '0', "last_activity_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "enrolments_time_chk" CHECK ("time_spent_minutes" >= 0), CONSTRAINT "enrolments_progress_chk" CHECK ("progress_percent" BETWEEN 0 AND 100), CONSTRAINT "PK_6e79971fbd26967c4da9ed52770" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "enrolments_live_uq" ON "enrolments"  ("learner_id", "course_id") WHERE "status" <> 'WITHDRAWN'`,
    );
    await queryRunner.query(
      `CREATE INDEX "enrolments_updated_idx" ON "enrolments"  ("updated_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "enrolments_sponsor_idx" ON "enrolments"  ("sponsor_employer_id") `,
    );
    await queryRunner.query(`CREATE INDEX "enrolments_course_idx" ON "enrolments"  ("course_id") `);
    await queryRunner.query(
      `CREATE INDEX "enrolments_learner_idx" ON "enrolments"  ("learner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "assessment_results" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "enrolment_id" uuid NOT NULL, "assessment_name" text NOT NULL, "attempted_at" TIMESTAMP WITH TIME ZONE NOT NULL, "score" numeric(8,2) NOT NULL, "max_score" numeric(8,2) NOT NULL, "passed" boolean NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "assessment_results_score_chk" CHECK ("score" >= 0 AND "score" <= "max_score" AND "max_score" > 0), CONSTRAINT "PK_5907c861a69b7bf628090784637" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "assessment_results_enrolment_idx" ON "assessment_results"  ("enrolment_id", "attempted_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "certificates" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "enrolment_id" uuid NOT NULL, "number" text NOT NULL, "issued_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "accreditation_points" numeric(6,2), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_8b379f595aea96c9406c5a44900" UNIQUE ("number"), CONSTRAINT "certificates_expiry_chk" CHECK ("expires_at" IS NULL OR "expires_at" > "issued_at"), CONSTRAINT "PK_e4c7e31e2144300bea7d89eb165" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "certificates_enrolment_idx" ON "certificates"  ("enrolment_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "employments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "learner_id" uuid NOT NULL, "employer_id" uuid NOT NULL, "employee_number" text NOT NULL, "started_on" date NOT NULL, "ended_on" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "employments_dates_chk" CHECK ("ended_on" IS NULL OR "ended_on" >= "started_on"), CONSTRAINT "PK_208f1abe9b236e156e33f9eeb58" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "employments_employer_number_uq" ON "employments"  ("employer_id", "employee_number") `,
    );
    await queryRunner.query(
      `CREATE INDEX "employments_learner_idx" ON "employments"  ("learner_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "employments_employer_learner_idx" ON "employments"  ("employer_id", "learner_id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."mandate_permission" AS ENUM('ENROL', 'VIEW_RESULTS')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."disclosure_category" AS ENUM('ENROLMENT_STATUS', 'PROGRESS', 'TIME_SPENT', 'COMPLETION', 'ASSESSMENT_RESULTS', 'CERTIFICATES', 'ACCREDITATION')`,
    );
    await queryRunner.query(
      `CREATE TABLE "broker_mandates" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "broker_id" uuid NOT NULL, "employer_id" uuid NOT NULL, "valid_from" TIMESTAMP WITH TIME ZONE NOT NULL, "valid_until" TIMESTAMP WITH TIME ZONE, "permissions" "public"."mandate_permission" array NOT NULL, "categories" "public"."disclosure_category" array NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "broker_mandates_validity_chk" CHECK ("valid_until" IS NULL OR "valid_until" > "valid_from"), CONSTRAINT "PK_6d400b697eeb781f9941b5462ad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "broker_mandates_broker_employer_idx" ON "broker_mandates"  ("broker_id", "employer_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "api_clients" ADD CONSTRAINT "FK_1dba765a4fce1deaf39c6b09022" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrolments" ADD CONSTRAINT "FK_2be7ee24811e32888d785192edf" FOREIGN KEY ("learner_id") REFERENCES "learners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrolments" ADD CONSTRAINT "FK_88e4829cd9da8e01cc305788db5" FOREIGN KEY ("course_id") REFERENCES "courses"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrolments" ADD CONSTRAINT "FK_71c3ea29e071fed23d95a93d76d" FOREIGN KEY ("sponsor_employer_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrolments" ADD CONSTRAINT "FK_263d56c3dd0f41915256f670d9b" FOREIGN KEY ("enrolled_by_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "assessment_results" ADD CONSTRAINT "FK_4ac7c2d3499ecd450fa3d3fe815" FOREIGN KEY ("enrolment_id") REFERENCES "enrolments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificates" ADD CONSTRAINT "FK_eae67dad555fdec30762dfcec2e" FOREIGN KEY ("enrolment_id") REFERENCES "enrolments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "employments" ADD CONSTRAINT "FK_4f2c5c3b67c78b8d28a0cd5afa6" FOREIGN KEY ("learner_id") REFERENCES "learners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "employments" ADD CONSTRAINT "FK_c39adb310975467644ffd3426e2" FOREIGN KEY ("employer_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "broker_mandates" ADD CONSTRAINT "FK_48c5ac4dd8d0171b8da2e822fcc" FOREIGN KEY ("broker_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "broker_mandates" ADD CONSTRAINT "FK_3bff246e0c3a7ca8433fed5c139" FOREIGN KEY ("employer_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "broker_mandates" DROP CONSTRAINT "FK_3bff246e0c3a7ca8433fed5c139"`,
    );
    await queryRunner.query(
      `ALTER TABLE "broker_mandates" DROP CONSTRAINT "FK_48c5ac4dd8d0171b8da2e822fcc"`,
    );
    await queryRunner.query(
      `ALTER TABLE "employments" DROP CONSTRAINT "FK_c39adb310975467644ffd3426e2"`,
    );
    await queryRunner.query(
      `ALTER TABLE "employments" DROP CONSTRAINT "FK_4f2c5c3b67c78b8d28a0cd5afa6"`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificates" DROP CONSTRAINT "FK_eae67dad555fdec30762dfcec2e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "assessment_results" DROP CONSTRAINT "FK_4ac7c2d3499ecd450fa3d3fe815"`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrolments" DROP CONSTRAINT "FK_263d56c3dd0f41915256f670d9b"`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrolments" DROP CONSTRAINT "FK_71c3ea29e071fed23d95a93d76d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrolments" DROP CONSTRAINT "FK_88e4829cd9da8e01cc305788db5"`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrolments" DROP CONSTRAINT "FK_2be7ee24811e32888d785192edf"`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_clients" DROP CONSTRAINT "FK_1dba765a4fce1deaf39c6b09022"`,
    );
    await queryRunner.query(`DROP INDEX "public"."broker_mandates_broker_employer_idx"`);
    await queryRunner.query(`DROP TABLE "broker_mandates"`);
    await queryRunner.query(`DROP TYPE "public"."disclosure_category"`);
    await queryRunner.query(`DROP TYPE "public"."mandate_permission"`);
    await queryRunner.query(`DROP INDEX "public"."employments_employer_learner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."employments_learner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."employments_employer_number_uq"`);
    await queryRunner.query(`DROP TABLE "employments"`);
    await queryRunner.query(`DROP INDEX "public"."certificates_enrolment_idx"`);
    await queryRunner.query(`DROP TABLE "certificates"`);
    await queryRunner.query(`DROP INDEX "public"."assessment_results_enrolment_idx"`);
    await queryRunner.query(`DROP TABLE "assessment_results"`);
    await queryRunner.query(`DROP INDEX "public"."enrolments_learner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."enrolments_course_idx"`);
    await queryRunner.query(`DROP INDEX "public"."enrolments_sponsor_idx"`);
    await queryRunner.query(`DROP INDEX "public"."enrolments_updated_idx"`);
    await queryRunner.query(`DROP INDEX "public"."enrolments_live_uq"`);
    await queryRunner.query(`DROP TABLE "enrolments"`);
    await queryRunner.query(`DROP TYPE "public"."enrolment_status"`);
    await queryRunner.query(`DROP TABLE "courses"`);
    await queryRunner.query(`DROP TABLE "learners"`);
    await queryRunner.query(`DROP TYPE "public"."locale"`);
    await queryRunner.query(`DROP TABLE "signing_keys"`);
    await queryRunner.query(`DROP INDEX "public"."api_clients_organisation_idx"`);
    await queryRunner.query(`DROP TABLE "api_clients"`);
    await queryRunner.query(`DROP TABLE "organisations"`);
    await queryRunner.query(`DROP TYPE "public"."organisation_kind"`);
  }
}
