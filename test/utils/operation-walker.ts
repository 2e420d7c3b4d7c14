import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

export interface Operation {
  kind: 'query' | 'mutation';
  name: string;
  document: string;
  variables: Record<string, unknown>;
}

/**
 * Every root field of the schema as a runnable operation with syntactically valid dummy
 * arguments, so a test can call each one and look at what the API answers.
 */
export function allOperations(schema: GraphQLSchema): Operation[] {
  const ops: Operation[] = [];
  for (const [kind, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(type?.getFields() ?? {})) ops.push(operationFor(kind, field));
  }
  return ops;
}

function operationFor(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): Operation {
  const variables: Record<string, unknown> = {};
  const defs: string[] = [];
  const args: string[] = [];
  for (const arg of field.args as GraphQLArgument[]) {
    if (!isNonNullType(arg.type)) continue;
    defs.push(`$${arg.name}: ${arg.type.toString()}`);
    args.push(`${arg.name}: $${arg.name}`);
    variables[arg.name] = dummy(arg.type);
  }
  const document = `${kind}${defs.length ? `(${defs.join(', ')})` : ''} { ${field.name}${args.length ? `(${args.join(', ')})` : ''} { __typename } }`;
  return { kind, name: field.name, document, variables };
}

function dummy(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return dummy(type.ofType);
  if (isListType(type)) return [dummy(type.ofType)];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0].value;
  if (isInputObjectType(named)) {
    return Object.fromEntries(
      Object.values(named.getFields())
        .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
        .map((f) => [f.name, dummy(f.type)]),
    );
  }
  if (isScalarType(named)) {
    switch (named.name) {
      case 'ID':
        return '00000000-0000-4000-8000-00000000dead';
      case 'Int':
      case 'Float':
        return 1;
      case 'Boolean':
        return true;
      case 'DateTime':
        return '2026-01-01T00:00:00.000Z';
      default:
        return 'x';
    }
  }
  throw new Error(`no dummy for ${String(named)}`);
}
