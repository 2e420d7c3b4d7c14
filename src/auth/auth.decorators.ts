import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import type { Actor, ActorKind } from './actor';

export const PUBLIC_KEY = 'auth:public';
export const ALLOWED_ACTORS_KEY = 'auth:allowed';

/** Opt out of authentication. Everything else requires a valid token. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/**
 * The actor kinds that may call an operation. An authenticated operation without this decorator
 * is refused for everyone (deny by default).
 */
export const Allow = (...kinds: ActorKind[]) => SetMetadata(ALLOWED_ACTORS_KEY, kinds);

export function requestOf(context: ExecutionContext): Request {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{ req: Request }>().req;
  }
  return context.switchToHttp().getRequest<Request>();
}

export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = requestOf(context).user as Actor | undefined;
  // The guard has run before any resolver; reaching here without an actor is a wiring bug.
  if (!actor) throw new Error('CurrentActor used on an operation without authentication');
  return actor;
});
