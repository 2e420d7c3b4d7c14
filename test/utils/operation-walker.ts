import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isObjectType,
  type GraphQLNamedType,
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
export function allOperations(schema: GraphQLSchema, opts: { deep?: boolean; ids?: Record<string, string> } = {}): Operation[] {
  const ops: Operation[] = [];
  for (const [kind, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(type?.getFields() ?? {})) ops.push(operationFor(kind, field, opts));
  }
  return ops;
}

function operationFor(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, opts: { deep?: boolean; ids?: Record<string, string> }): Operation {
  const variables: Record<string, unknown> = {};
  const defs: string[] = [];
  const args: string[] = [];
  for (const arg of field.args as GraphQLArgument[]) {
    const given = opts.ids?.[arg.name];
    if (!isNonNullType(arg.type) && given === undefined) continue;
    defs.push(`$${arg.name}: ${arg.type.toString()}`);
    args.push(`${arg.name}: $${arg.name}`);
    variables[arg.name] = given ?? dummy(arg.type);
  }
  const returns = getNamedType(field.type);
  const selection = !isObjectType(returns) ? '' : opts.deep ? selectionFor(returns, 4) : '{ __typename }';
  const document = `${kind}${defs.length ? `(${defs.join(', ')})` : ''} { ${field.name}${args.length ? `(${args.join(', ')})` : ''} ${selection} }`;
  return { kind, name: field.name, document, variables };
}

/** Every field without required arguments, objects nested up to `depth`. */
function selectionFor(type: GraphQLNamedType, depth: number): string {
  if (!isObjectType(type)) return '';
  const parts = ['__typename'];
  for (const f of Object.values(type.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type))) continue;
    const named = getNamedType(f.type);
    if (isObjectType(named)) {
      if (depth > 0) parts.push(`${f.name} ${selectionFor(named, depth - 1)}`);
    } else {
      parts.push(f.name);
    }
  }
  return `{ ${parts.join(' ')} }`;
}

function dummy(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return dummy(type.ofType);
  if (isListType(type)) return [dummy(type.ofType)];
  const named = getNamedType(type);
  // Variables carry the enum value's name (EventType's names differ from its internal values).
  if (isEnumType(named)) return named.getValues()[0].name;
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
