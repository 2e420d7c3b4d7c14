import { Module } from '@nestjs/common';
import { JobQueueLifecycle, jobQueueProvider, JOB_QUEUE } from './job-queue.provider';
import { LearnerNotifier } from './learner-notifier.service';

/**
 * The transactional outbox, below every module that produces into it (the gate's agreements,
 * enrolments, the ledger, privacy): the job queue (pg-boss on our own database) and the notifier
 * that writes a learner's notification and its email job inside the producer's transaction.
 * What consumes it — email delivery, the inbox — lives in `notifications/`, above.
 */
@Module({
  providers: [jobQueueProvider, JobQueueLifecycle, LearnerNotifier],
  exports: [JOB_QUEUE, LearnerNotifier],
})
export class OutboxModule {}
