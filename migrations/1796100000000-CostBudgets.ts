import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-client query-cost budgets, shared by every API process (src/api/cost-budget.ts). */
export class CostBudgets1796100000000 implements MigrationInterface {
  name = 'CostBudgets1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_cost_budgets" ("client_key" text NOT NULL, "tokens" double precision NOT NULL, "last_ok" boolean NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_api_cost_budgets" PRIMARY KEY ("client_key"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "api_cost_budgets"`);
  }
}
