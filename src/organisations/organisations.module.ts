import { Module } from '@nestjs/common';
import { BrokerMandateResolver } from './broker-mandate.resolver';
import { BrokerMandateService } from './broker-mandate.service';
import { OrganisationResolver } from './organisation.resolver';
import { OrganisationService } from './organisation.service';

@Module({
  providers: [OrganisationService, OrganisationResolver, BrokerMandateService, BrokerMandateResolver],
  exports: [OrganisationService, BrokerMandateService],
})
export class OrganisationsModule {}
