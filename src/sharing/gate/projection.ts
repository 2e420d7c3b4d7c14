import {
  defaultFieldResolver,
  getNamedType,
  isAbstractType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import type { DisclosureCategory } from '../../common/disclosure-category';
import type { FieldPolicy } from './field-policy';
import type { GraphqlContext } from './graphql-context';
import { GatedView, type RequestView } from './request-view';

/**
 * How the gate reaches every field (docs/architecture.md, "The gate"): each object of a type that
 * carries learner data (a policy type: one with a GATED or INTERNAL field) is handed to GraphQL
 * as a projection — the record seen through the request's view — and never as the record itself.
 *
 * - A field without a resolver of its own is a getter on the projection's prototype. A GATED one
 *   reads the view's decision for its enrolment and category: allowed, it records the category as
 *   disclosed (for the ledger) and returns the value; otherwise null. An INTERNAL one is null to
 *   employers and brokers. The value is reachable only through that getter, so a value that
 *   leaves has been recorded, and graphql-jit reads the field as a property, without the call
 *   (args, path, resolve info, closures) a resolver costs it: a 500-learner page has ~26,000 of
 *   them (docs/benchmarks.md).
 * - A field with a resolver gets the record, after the same check for a GATED or INTERNAL field.
 * - Every field of the schema whose type is a policy type (or a list of one) projects what its
 *   resolver returns, whatever type it belongs to (roots, connections, mutations' results), so no
 *   path hands GraphQL a bare record.
 * - Each policy type's `isTypeOf` refuses anything else with an opaque error (no value of the
 *   record in the message): a record that reached GraphQL unprojected fails the field rather than
 *   being served. Abstract types (interfaces, unions) over a policy type are refused when the
 *   schema is built: their members would be resolved before this could project them.
 */
export function installProjections(schema: GraphQLSchema): GraphQLSchema {
  const types = Object.values(schema.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'));
  const projections = new Map<GraphQLObjectType, ProjectionClass>();
  for (const type of types) {
    if (Object.values(type.getFields()).some((f) => policyOf(f) !== undefined)) projections.set(type, projectionClass(type));
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isAbstractType(type)) continue;
    const members = schema.getPossibleTypes(type);
    const gated = members.find((m) => projections.has(m));
    if (gated) throw new Error(`${type.name} is abstract over ${gated.name}, which carries learner data: the gate projects only object types (sharing/gate/projection.ts)`);
  }

  for (const type of types) {
    const projected = projections.has(type);
    for (const field of Object.values(type.getFields())) {
      let resolve = field.resolve;
      if (projected && resolve) resolve = onRecord(policyOf(field), resolve);
      const target = projections.get(getNamedType(field.type) as GraphQLObjectType);
      if (target) resolve = projecting(resolve ?? (projected ? onRecord(policyOf(field), defaultFieldResolver) : defaultFieldResolver), target, listDepth(field.type));
      field.resolve = resolve;
    }
    if (projected) {
      const cls = projections.get(type)!;
      (type as { isTypeOf?: unknown }).isTypeOf = (value: unknown) => {
        if (value instanceof cls) return true;
        throw new Error('a record of a learner-data type reached GraphQL without the gate (sharing/gate/projection.ts)');
      };
    }
  }
  return schema;
}

/** Internal slots of a projection: `$` cannot start a GraphQL field name, so no getter shadows them. */
interface Projection {
  readonly $record: Record<string, unknown>;
  readonly $view: RequestView;
  /** The enrolment a gated value belongs to: an Enrolment is one; results and certificates name theirs. */
  readonly $enrolment: string;
}

type ProjectionClass = new (record: Record<string, unknown>, view: RequestView) => Projection;

function policyOf(field: GraphQLField<unknown, unknown>): FieldPolicy | undefined {
  const ext = field.extensions as Partial<FieldPolicy>;
  return ext.policy === 'GATED' || ext.policy === 'INTERNAL' ? (ext as FieldPolicy) : undefined;
}

/** One class per policy type, its fields without a resolver as getters on the prototype. */
function projectionClass(type: GraphQLObjectType): ProjectionClass {
  const cls = class {
    readonly $enrolment: string;
    constructor(
      readonly $record: Record<string, unknown>,
      readonly $view: RequestView,
    ) {
      this.$enrolment = ($record.enrolmentId ?? $record.id) as string;
    }
  };
  Object.defineProperty(cls, 'name', { value: `${type.name}Projection` });
  // What a projection shows when something prints it — graphql's error messages call toJSON,
  // JSON.stringify does, Node's inspect has its own hook: its type, never the record inside.
  if ('toJSON' in type.getFields()) throw new Error(`${type.name}.toJSON: a field of a learner-data type may not be called toJSON (sharing/gate/projection.ts)`);
  const shown = `[${type.name} through the gate]`;
  Object.defineProperty(cls.prototype, 'toJSON', { value: () => shown });
  Object.defineProperty(cls.prototype, Symbol.for('nodejs.util.inspect.custom'), { value: () => shown });
  for (const field of Object.values(type.getFields())) {
    // A field with a resolver, or one of a policy type, is resolved through onRecord instead.
    if (field.resolve || isObjectType(getNamedType(field.type))) continue;
    const name = field.name;
    const policy = policyOf(field);
    Object.defineProperty(cls.prototype, name, {
      get: policy?.policy === 'GATED' ? gatedGetter(name, policy.category) : policy?.policy === 'INTERNAL' ? internalGetter(name) : plainGetter(name),
    });
  }
  return cls;
}

function plainGetter(name: string) {
  return function (this: Projection): unknown {
    return this.$record[name];
  };
}

function internalGetter(name: string) {
  return function (this: Projection): unknown {
    return this.$view.kind === 'FULL' ? this.$record[name] : null;
  };
}

function gatedGetter(name: string, category: DisclosureCategory) {
  return function (this: Projection): unknown {
    const view = this.$view;
    if (view.kind === 'FULL') return this.$record[name];
    if (!view.allows(this.$enrolment, category)) return null;
    view.markDisclosed(this.$enrolment, category);
    return this.$record[name];
  };
}

/** A policy type's own resolver: the gate's check first (GATED and INTERNAL fields), then the resolver with the record. */
function onRecord(policy: FieldPolicy | undefined, resolve: GraphQLFieldResolver<unknown, GraphqlContext>): GraphQLFieldResolver<unknown, GraphqlContext> {
  return (source, args, context, info) => {
    const projection = source as Projection;
    if (policy) {
      const view = projection.$view;
      if (view.kind !== 'FULL') {
        if (policy.policy !== 'GATED' || !view.allows(projection.$enrolment, policy.category)) return null;
        view.markDisclosed(projection.$enrolment, policy.category);
      }
    }
    return resolve(projection.$record, args, context, info);
  };
}

/** No view on the context: everything withheld (deny by default). */
const DENY_ALL = new GatedView(null);

function projecting(resolve: GraphQLFieldResolver<unknown, GraphqlContext>, cls: ProjectionClass, depth: number): GraphQLFieldResolver<unknown, GraphqlContext> {
  return (source, args, context, info) => project(resolve(source, args, context, info), cls, context.view ?? DENY_ALL, depth);
}

/** A value of a policy type (or a list of `depth` levels of one) as projections, promises and nulls kept. */
function project(value: unknown, cls: ProjectionClass, view: RequestView, depth: number): unknown {
  if (value === null || value === undefined) return value;
  if (typeof (value as PromiseLike<unknown>).then === 'function') return (value as PromiseLike<unknown>).then((v) => project(v, cls, view, depth));
  if (depth > 0) {
    const items = Array.isArray(value) ? value : Array.from(value as Iterable<unknown>);
    return items.map((item) => project(item, cls, view, depth - 1));
  }
  // Already a projection (a resolver that hands on its own source): as it is, if this request's.
  if (value instanceof cls && (value).$view === view) return value;
  return new cls(value as Record<string, unknown>, view);
}

function listDepth(type: GraphQLOutputType): number {
  let depth = 0;
  for (let t = type; ; ) {
    if (isNonNullType(t)) t = t.ofType;
    else if (isListType(t)) {
      depth++;
      t = t.ofType;
    } else return depth;
  }
}
