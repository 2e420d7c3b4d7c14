import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An employment an employer's enrolment batch records is the employer's claim, kept with the
 * name it supplied, until provider staff confirm it (src/learners/employment.entity.ts,
 * docs/sharing-rules.md rule 3). Employments recorded before stay as they were: confirmed.
 */
export class ClaimedEmployments1796000000000 implements MigrationInterface {
  name = 'ClaimedEmployments1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "employments" ADD "claimed_name" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "employments" DROP COLUMN "claimed_name"`);
  }
}
