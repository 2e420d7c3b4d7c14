import { MigrationInterface, QueryRunner } from 'typeorm';

/** Failed client-credentials attempts per client id and per address (src/auth/token-throttle.service.ts). */
export class TokenFailures1796200000000 implements MigrationInterface {
  name = 'TokenFailures1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // The shape rate-limiter-flexible's RateLimiterPostgres expects (created here, by the owner:
    // the application's role may not create tables).
    await queryRunner.query(`CREATE TABLE "token_failures" ("key" varchar(255) PRIMARY KEY, "points" integer NOT NULL DEFAULT 0, "expire" bigint)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "token_failures"`);
  }
}
