import { Raw, type FindOperator } from 'typeorm';

let n = 0;

/**
 * `column = ANY($1)` with the ids as one array parameter: the same query text whatever the number
 * of ids (TypeORM's In() sends one parameter per id, which is slow to plan at page sizes).
 */
export function anyOf(ids: readonly string[]): FindOperator<string> {
  const name = `anyOf${(n = (n + 1) % 1_000_000)}`;
  return Raw((alias) => `${alias} = ANY(:${name}::uuid[])`, { [name]: [...ids] });
}
