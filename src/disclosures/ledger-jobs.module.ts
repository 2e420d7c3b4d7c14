import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { LedgerCheckpointWorker } from './ledger-checkpoint.worker';

/** The ledger's background jobs, for the API process and `npm run worker` alike. */
@Module({
  imports: [OutboxModule],
  providers: [LedgerCheckpointWorker],
})
export class LedgerJobsModule {}
