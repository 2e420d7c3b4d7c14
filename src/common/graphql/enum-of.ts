import { registerEnumType } from '@nestjs/graphql';

/**
 * A GraphQL enum from an `as const` list, registered beside the list that defines it: the list
 * stays the single source of the values, and the enum is found where its values are.
 */
export function enumOf<T extends string>(values: readonly T[], name: string, description?: string): Record<T, T> {
  const obj = Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;
  registerEnumType(obj, { name, description });
  return obj;
}
