import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { SharingModule } from '../sharing/sharing.module';
import { PrivacyResolver } from './privacy.resolver';
import { PrivacyService } from './privacy.service';

@Module({
  imports: [SharingModule, NotificationsModule],
  providers: [PrivacyService, PrivacyResolver],
  exports: [PrivacyService],
})
export class PrivacyModule {}
