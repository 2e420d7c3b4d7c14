import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { EmailDeliveryService } from './email/email-delivery.service';
import { MailerService } from './email/mailer.service';
import { InboxResolver } from './inbox.resolver';
import { InboxService } from './inbox.service';
import { NotificationWorker } from './notification-worker.service';

@Module({
  imports: [OutboxModule],
  providers: [MailerService, EmailDeliveryService, NotificationWorker, InboxService, InboxResolver],
  exports: [EmailDeliveryService, NotificationWorker, MailerService],
})
export class NotificationsModule {}
