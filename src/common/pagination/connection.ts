import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import type { Type } from '@nestjs/common';
import { IsOptional, IsString, Max, Min } from 'class-validator';
import { encodeCursor } from './cursor';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` })
  @IsOptional()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  @IsOptional()
  @IsString()
  after?: string;
}

@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true })
  endCursor: string | null;

  @Field()
  hasNextPage: boolean;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
}

/**
 * A connection as handed to GraphQL whose nodes may arrive in later event-loop turns (in-turns.ts).
 * An edge arrives whole, never as an edge holding a promise of its node: graphql-jit reads a field
 * without a resolver (`node`) as a plain value, so such a node would read as empty and the request
 * would be run again by graphql-js (api/compiled-execution.plugin.ts).
 */
export interface DeferredConnectionShape<T> {
  edges: (Edge<T> | Promise<Edge<T>>)[];
  nodes: (T | Promise<T>)[];
  pageInfo: PageInfo;
}

/** Relay-style connection type for a model: `nodes`, `edges { cursor node }`, `pageInfo`. */
export function Connection<T>(model: Type<T>): Type<ConnectionShape<T>> {
  @ObjectType(`${model.name}Edge`)
  class EdgeType {
    @Field()
    cursor: string;

    @Field(() => model)
    node: T;
  }

  @ObjectType({ isAbstract: true })
  class ConnectionType {
    @Field(() => [EdgeType])
    edges: Edge<T>[];

    @Field(() => [model])
    nodes: T[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;
  }
  return ConnectionType;
}

/** Builds a connection from `first + 1` rows fetched in id order (the extra row tells hasNextPage). */
export function toConnection<T extends { id: string }>(rows: T[], first: number): ConnectionShape<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    edges,
    nodes: page,
    pageInfo: { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage: rows.length > first },
  };
}
