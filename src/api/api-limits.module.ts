import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { OutboxModule } from '../outbox/outbox.module';
import { HeavyOperations } from './heavy-operations';
import { LimitsHousekeeping } from './limits-housekeeping';

/** The API limits' background work (docs/api-limits.md). */
@Module({
  imports: [AuthModule, OutboxModule],
  providers: [LimitsHousekeeping, HeavyOperations],
  exports: [LimitsHousekeeping, HeavyOperations],
})
export class ApiLimitsModule {}
