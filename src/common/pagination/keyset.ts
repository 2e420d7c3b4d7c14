import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DEFAULT_PAGE_SIZE, toConnection, type ConnectionShape, type PageArgs } from './connection';
import { decodeCursor } from './cursor';

/**
 * Keyset pagination on the primary key: `WHERE id > :after ORDER BY id LIMIT first + 1`. Page time
 * does not depend on the page's position (no OFFSET).
 */
export async function paginate<T extends ObjectLiteral & { id: string }>(
  qb: SelectQueryBuilder<T>,
  args: PageArgs,
): Promise<ConnectionShape<T>> {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  const alias = qb.alias;
  if (args.after !== undefined && args.after !== null) {
    qb.andWhere(`${alias}.id > :afterId`, { afterId: decodeCursor(args.after) });
  }
  const rows = await qb.orderBy(`${alias}.id`, 'ASC').limit(first + 1).getMany();
  return toConnection(rows, first);
}
