import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ActorGuard } from './actor.guard';
import { ApiClientResolver } from './api-client.resolver';
import { ApiClientService } from './api-client.service';
import { JwtStrategy } from './jwt.strategy';
import { SigningKeyService } from './signing-key.service';
import { TokenController } from './token.controller';
import { TokenService } from './token.service';
import { TokenThrottle } from './token-throttle.service';

@Module({
  imports: [PassportModule],
  controllers: [TokenController],
  providers: [
    SigningKeyService,
    TokenService,
    TokenThrottle,
    ApiClientService,
    JwtStrategy,
    ApiClientResolver,
    { provide: APP_GUARD, useClass: ActorGuard },
  ],
  exports: [TokenService, SigningKeyService, ApiClientService, TokenThrottle],
})
export class AuthModule {}
