import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/errors/domain-error';
import type { Actor, ActorKind } from './actor';
import { ALLOWED_ACTORS_KEY, PUBLIC_KEY, requestOf } from './auth.decorators';

/**
 * Global guard. The token itself was verified by the JWT middleware (a bad token never gets
 * here: it is answered with 401). This guard decides only: public, or an actor of an allowed kind.
 */
@Injectable()
export class ActorGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const actor = requestOf(context).user as Actor | undefined;
    if (!actor) throw new DomainError('UNAUTHENTICATED', 'A bearer token is required');
    const allowed = this.reflector.getAllAndOverride<ActorKind[] | undefined>(ALLOWED_ACTORS_KEY, targets) ?? [];
    if (!allowed.includes(actor.kind)) throw DomainError.forbidden(`Not allowed for ${actor.kind}`);
    return true;
  }
}
