import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { SharingModule } from '../sharing/sharing.module';
import { PrivacyResolver } from './privacy.resolver';
import { PrivacyService } from './privacy.service';

@Module({
  imports: [SharingModule, OutboxModule],
  providers: [PrivacyService, PrivacyResolver],
  exports: [PrivacyService],
})
export class PrivacyModule {}
