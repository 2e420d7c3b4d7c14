import { MigrationInterface, QueryRunner } from 'typeorm';

export class SharingAgreements1795597117007 implements MigrationInterface {
  name = 'SharingAgreements1795597117007';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "objections" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "learner_id" uuid NOT NULL, "recipient_id" uuid NOT NULL, "agreement_id" uuid NOT NULL, "grounds" text, "objected_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "lifted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6bb81f77d9eabef4f46e9c0934f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "objections_learner_idx" ON "objections"  ("learner_id", "recipient_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "restrictions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "learner_id" uuid NOT NULL, "reason" text, "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "lifted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_f86a9a487b1348b0349f104154e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "restrictions_learner_idx" ON "restrictions"  ("learner_id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."sharing_basis" AS ENUM('PROCESSOR', 'STUDY_CONTRACT', 'LEGITIMATE_INTEREST', 'CONSENT')`,
    );
    await queryRunner.query(
      `CREATE TABLE "sharing_agreements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agreement_id" uuid NOT NULL, "version" integer NOT NULL, "recipient_id" uuid NOT NULL, "basis" "public"."sharing_basis" NOT NULL, "categories" "public"."disclosure_category" array NOT NULL, "learner_id" uuid, "course_ids" uuid array, "valid_from" TIMESTAMP WITH TIME ZONE NOT NULL, "valid_until" TIMESTAMP WITH TIME ZONE, "reference" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "revoked_at" TIMESTAMP WITH TIME ZONE, "superseded_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "sharing_agreements_categories_chk" CHECK (cardinality("categories") > 0), CONSTRAINT "sharing_agreements_validity_chk" CHECK ("valid_until" IS NULL OR "valid_until" > "valid_from"), CONSTRAINT "PK_305bf182ce8e54c7040142b7849" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "sharing_agreements_learner_idx" ON "sharing_agreements"  ("learner_id") WHERE "superseded_at" IS NULL AND "learner_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "sharing_agreements_recipient_idx" ON "sharing_agreements"  ("recipient_id", "learner_id") WHERE "superseded_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "sharing_agreements_version_uq" ON "sharing_agreements"  ("agreement_id", "version") `,
    );
    await queryRunner.query(`ALTER TABLE "learners" ADD "erased_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "objections" ADD CONSTRAINT "FK_23523f4818169f813939affde4d" FOREIGN KEY ("learner_id") REFERENCES "learners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "objections" ADD CONSTRAINT "FK_b4a0238244c9c9ce476f201d499" FOREIGN KEY ("recipient_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "restrictions" ADD CONSTRAINT "FK_99e2ca7a8409d063ebf5be501a3" FOREIGN KEY ("learner_id") REFERENCES "learners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sharing_agreements" ADD CONSTRAINT "FK_63f3a0fe60befb9b99f00a93874" FOREIGN KEY ("recipient_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sharing_agreements" ADD CONSTRAINT "FK_48afa124b3379b21ba36281d4c2" FOREIGN KEY ("learner_id") REFERENCES "learners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "sharing_agreements" DROP CONSTRAINT "FK_48afa124b3379b21ba36281d4c2"`,
    );
    await queryRunner.query(
      `ALTER TABLE "sharing_agreements" DROP CONSTRAINT "FK_63f3a0fe60befb9b99f00a93874"`,
    );
    await queryRunner.query(
      `ALTER TABLE "restrictions" DROP CONSTRAINT "FK_99e2ca7a8409d063ebf5be501a3"`,
    );
    await queryRunner.query(
      `ALTER TABLE "objections" DROP CONSTRAINT "FK_b4a0238244c9c9ce476f201d499"`,
    );
    await queryRunner.query(
      `ALTER TABLE "objections" DROP CONSTRAINT "FK_23523f4818169f813939affde4d"`,
    );
    await queryRunner.query(`ALTER TABLE "learners" DROP COLUMN "erased_at"`);
    await queryRunner.query(`DROP INDEX "public"."sharing_agreements_version_uq"`);
    await queryRunner.query(`DROP INDEX "public"."sharing_agreements_recipient_idx"`);
    await queryRunner.query(`DROP INDEX "public"."sharing_agreements_learner_idx"`);
    await queryRunner.query(`DROP TABLE "sharing_agreements"`);
    await queryRunner.query(`DROP TYPE "public"."sharing_basis"`);
    await queryRunner.query(`DROP INDEX "public"."restrictions_learner_idx"`);
    await queryRunner.query(`DROP TABLE "restrictions"`);
    await queryRunner.query(`DROP INDEX "public"."objections_learner_idx"`);
    await queryRunner.query(`DROP TABLE "objections"`);
  }
}
