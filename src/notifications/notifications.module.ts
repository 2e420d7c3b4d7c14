import { Module } from '@nestjs/common';
import { EmailDeliveryService } from './email/email-delivery.service';
import { MailerService } from './email/mailer.service';
import { InboxResolver } from './inbox.resolver';
import { InboxService } from './inbox.service';
import { JobQueueLifecycle, jobQueueProvider, JOB_QUEUE } from './job-queue.provider';
import { LearnerNotifier } from './learner-notifier.service';
import { NotificationWorker } from './notification-worker.service';

@Module({
  providers: [jobQueueProvider, JobQueueLifecycle, MailerService, EmailDeliveryService, NotificationWorker, LearnerNotifier, InboxService, InboxResolver],
  exports: [JOB_QUEUE, LearnerNotifier, EmailDeliveryService, NotificationWorker],
})
export class NotificationsModule {}
