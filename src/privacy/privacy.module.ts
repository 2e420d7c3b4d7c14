import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { RequestsModule } from '../requests/requests.module';
import { SharingModule } from '../sharing/sharing.module';
import { PrivacyResolver } from './privacy.resolver';
import { PrivacyService } from './privacy.service';

@Module({
  imports: [SharingModule, OutboxModule, RequestsModule],
  providers: [PrivacyService, PrivacyResolver],
  exports: [PrivacyService],
})
export class PrivacyModule {}
