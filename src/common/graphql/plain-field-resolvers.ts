import { isObjectType, type GraphQLSchema } from 'graphql';

/**
 * Takes off the resolver NestJS gives every field of a code-first object type when it only reads
 * the property of the same name (`rootFieldResolver` in @nestjs/graphql: `root[name]`, or the
 * field's default value when that is undefined). To graphql-jit a field with a resolver is a call:
 * an args object, a response path, a resolve info and three closures for each field of each
 * object: the benchmark's 500-learner page made ~45,000 calls, over 10,000 of them for fields that
 * only read a property, and allocates ~4.5 MB less without those (docs/benchmarks.md). Without a
 * resolver, jit reads the property inline and graphql-js uses its default resolver, which reads
 * the same property.
 *
 * Only a resolver named `rootFieldResolver` is considered, and it is taken off only when a probe
 * shows that it reads exactly the field's own name and has no default value: a field renamed in the
 * schema (`@Field({ name })`) or with a `defaultValue` keeps its resolver. Runs on the built schema,
 * before the gate installs its projections (sharing/gate/projection.ts): a gated field without a
 * resolver is then a getter on the projection, which checks the gate.
 */
export function withoutPlainFieldResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.resolve?.name === 'rootFieldResolver' && readsOnlyItsOwnName(field.resolve, field.name)) field.resolve = undefined;
    }
  }
  return schema;
}

function readsOnlyItsOwnName(resolve: (...args: never[]) => unknown, name: string): boolean {
  const read: PropertyKey[] = [];
  const probe = new Proxy({}, { get: (_target, key) => (read.push(key), undefined) });
  const result = (resolve as (root: unknown) => unknown)(probe);
  return result === undefined && read.length === 1 && read[0] === name;
}
