import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { RequestRegister } from './request-register.service';

/** The register of learner requests: below everything that registers one (docs/architecture.md, "Layers"). */
@Module({
  imports: [OutboxModule],
  providers: [RequestRegister],
  exports: [RequestRegister],
})
export class RequestsModule {}
