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
import { CATEGORY_INDEX, GatedView, type EnrolmentGate, type RequestView } from './request-view';

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
 * - Each policy type's `isTypeOf` refuses anything else: a record that reached GraphQL
 *   unprojected fails the field rather than being served (see refuseUnprojected). Abstract types
 *   (interfaces, unions) over a policy type are refused when the schema is built: their members
 *   would be resolved before this could project them.
 * - Nothing here throws into graphql-jit's compiled code: jit reads getters and calls `isTypeOf`
 *   inline, outside the try/catch it puts around resolvers, and a throw there (inside a promise's
 *   callback) would leave the query unresolved and the rejection unhandled. A getter that fails
 *   returns the Error, which both engines report as that field's error.
 * - The record and the view are private fields: nothing that prints, copies or spreads a
 *   projection (graphql's and graphql-jit's inspect, JSON.stringify, `{...p}`) sees them.
 */
export function installProjections(schema: GraphQLSchema): GraphQLSchema {
  const types = Object.values(schema.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'));
  const policyTypes = new Set(types.filter((type) => Object.values(type.getFields()).some((f) => policyOf(f) !== undefined)));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isAbstractType(type)) continue;
    const gated = schema.getPossibleTypes(type).find((m) => policyTypes.has(m));
    if (gated) throw new Error(`${type.name} is abstract over ${gated.name}, which carries learner data: the gate projects only object types (sharing/gate/projection.ts)`);
  }
  const projections = new Map([...policyTypes].map((type) => [type, projectionClass(type, policyTypes)]));

  for (const type of types) {
    const projected = projections.has(type);
    for (const field of Object.values(type.getFields())) {
      let resolve = field.resolve;
      if (projected && resolve) resolve = Projection.onRecord(policyOf(field), resolve);
      const target = projections.get(getNamedType(field.type) as GraphQLObjectType);
      if (target) resolve = projecting(resolve ?? (projected ? Projection.onRecord(policyOf(field), defaultFieldResolver) : defaultFieldResolver), target, listDepth(field.type));
      field.resolve = resolve;
    }
    const cls = projections.get(type);
    if (cls) (type as { isTypeOf?: unknown }).isTypeOf = (value: unknown, _context: unknown, info: unknown) => (value instanceof cls && Projection.is(value)) || refuseUnprojected(info);
  }
  return schema;
}

/**
 * A value of a policy type that is not its projection. graphql-js calls `isTypeOf` with three
 * arguments and inside its own try/catch: the opaque error fails the field (its own "Expected value
 * of type" error would print the record's values into the message, and so into the log).
 * graphql-jit calls it with the value alone, inline: false makes jit report an error, and a
 * compiled result with errors is dropped and the request run again through graphql-js
 * (api/compiled-execution.plugin.ts), which then refuses it as above.
 */
function refuseUnprojected(info: unknown): false {
  if (info === undefined) return false;
  throw new Error('a record of a learner-data type reached GraphQL without the gate (sharing/gate/projection.ts)');
}

function policyOf(field: GraphQLField<unknown, unknown>): FieldPolicy | undefined {
  const ext = field.extensions as Partial<FieldPolicy>;
  return ext.policy === 'GATED' || ext.policy === 'INTERNAL' ? (ext as FieldPolicy) : undefined;
}

/**
 * A record seen through one request's view. Only code in this class body reads the private
 * fields: the getters it makes and onRecord.
 */
class Projection {
  readonly #record: Record<string, unknown>;
  readonly #view: RequestView;
  /** The enrolment a gated value belongs to: an Enrolment is one; results and certificates name theirs. */
  readonly #enrolment: string;
  /** That enrolment's gate in a gated view, taken on the first gated field read. */
  #gate: EnrolmentGate | undefined;

  constructor(record: Record<string, unknown>, view: RequestView) {
    this.#record = record;
    this.#view = view;
    this.#enrolment = (record.enrolmentId ?? record.id) as string;
  }

  /** The enrolment's gate, or undefined when the view sees everything (staff, the learner). */
  static #gateOf(p: Projection): EnrolmentGate | undefined {
    const view = p.#view;
    return view.kind === 'FULL' ? undefined : (p.#gate ??= view.gateOf(p.#enrolment));
  }

  /**
   * A projection itself, not an object that only inherits from one (`Object.create(p)`, a
   * clone): its getters would throw reading private fields it does not have.
   */
  static is(value: unknown): value is Projection {
    return typeof value === 'object' && value !== null && #record in value;
  }

  static viewOf(p: Projection): RequestView {
    return p.#view;
  }

  static recordOf(p: Projection): Record<string, unknown> {
    return p.#record;
  }

  static plain(name: string) {
    return function (this: Projection): unknown {
      try {
        return this.#record[name];
      } catch (e) {
        return failed(e);
      }
    };
  }

  static internal(name: string) {
    return function (this: Projection): unknown {
      try {
        return this.#view.kind === 'FULL' ? this.#record[name] : null;
      } catch (e) {
        return failed(e);
      }
    };
  }

  static gated(name: string, category: DisclosureCategory) {
    const index = CATEGORY_INDEX[category];
    return function (this: Projection): unknown {
      try {
        const gate = Projection.#gateOf(this);
        if (gate) {
          if (!gate.decision(index).allowed) return null;
          gate.mark(category);
        }
        return this.#record[name];
      } catch (e) {
        return failed(e);
      }
    };
  }

  /** A policy type's own resolver: the gate's check first (GATED and INTERNAL fields), then the resolver with the record. */
  static onRecord(policy: FieldPolicy | undefined, resolve: GraphQLFieldResolver<unknown, GraphqlContext>): GraphQLFieldResolver<unknown, GraphqlContext> {
    return (source, args, context, info) => {
      const projection = source as Projection;
      if (policy && projection.#view.kind !== 'FULL') {
        if (policy.policy !== 'GATED') return null;
        const gate = Projection.#gateOf(projection)!;
        if (!gate.decision(CATEGORY_INDEX[policy.category]).allowed) return null;
        gate.mark(policy.category);
      }
      return resolve(projection.#record, args, context, info);
    };
  }
}

/** What a getter returns instead of throwing into graphql-jit's compiled code: both engines report an Error value as the field's error. */
function failed(e: unknown): Error {
  return e instanceof Error ? e : new Error('reading a field of a learner-data type failed');
}

type ProjectionClass = new (record: Record<string, unknown>, view: RequestView) => Projection;

/**
 * Names a getter must not take: `then` is read by every "is this a promise?" check (a gate check
 * and a disclosure marked for a field nobody selected), the others by printing and conversion.
 */
const RESERVED_NAMES = new Set(['then', 'toJSON', 'inspect', ...Object.getOwnPropertyNames(Object.prototype)]);

/**
 * One class per policy type. Its fields without a resolver are getters on the prototype; a field
 * whose type is a policy type is resolved through onRecord and projected instead (installProjections).
 */
function projectionClass(type: GraphQLObjectType, policyTypes: ReadonlySet<GraphQLObjectType>): ProjectionClass {
  const cls = class extends Projection {};
  Object.defineProperty(cls, 'name', { value: `${type.name}Projection` });
  // What a projection shows when something prints it — graphql's error messages call toJSON,
  // JSON.stringify does, Node's inspect and graphql-jit's have their own hooks: its type, never
  // anything of the record (which private fields keep out of reach anyway).
  const reserved = Object.keys(type.getFields()).filter((name) => RESERVED_NAMES.has(name));
  if (reserved.length > 0) throw new Error(`${type.name}.${reserved[0]}: a field of a learner-data type may not have a name JavaScript itself reads on objects (sharing/gate/projection.ts)`);
  const shown = `[${type.name} through the gate]`;
  for (const key of ['toJSON', 'inspect', Symbol.for('nodejs.util.inspect.custom'), String(Symbol.for('nodejs.util.inspect.custom'))]) {
    Object.defineProperty(cls.prototype, key, { value: () => shown });
  }
  for (const field of Object.values(type.getFields())) {
    if (field.resolve || policyTypes.has(getNamedType(field.type) as GraphQLObjectType)) continue;
    const name = field.name;
    const policy = policyOf(field);
    Object.defineProperty(cls.prototype, name, {
      get: policy?.policy === 'GATED' ? Projection.gated(name, policy.category) : policy?.policy === 'INTERNAL' ? Projection.internal(name) : Projection.plain(name),
    });
  }
  return cls;
}

/** No view on the context: everything withheld (deny by default), with a view of the request's own. */
const denyAll = new WeakMap<object, GatedView>();

function viewFor(context: GraphqlContext | undefined): RequestView {
  if (context?.view) return context.view;
  if (!context) return new GatedView(null);
  let view = denyAll.get(context);
  if (!view) denyAll.set(context, (view = new GatedView(null)));
  return view;
}

function projecting(resolve: GraphQLFieldResolver<unknown, GraphqlContext>, cls: ProjectionClass, depth: number): GraphQLFieldResolver<unknown, GraphqlContext> {
  return (source, args, context, info) => project(resolve(source, args, context, info), cls, viewFor(context), depth);
}

/** A value of a policy type (or a list of `depth` levels of one) as projections; promises, nulls and errors kept. */
function project(value: unknown, cls: ProjectionClass, view: RequestView, depth: number): unknown {
  if (value === null || value === undefined || value instanceof Error) return value;
  if (typeof (value as PromiseLike<unknown>).then === 'function') return (value as PromiseLike<unknown>).then((v) => project(v, cls, view, depth));
  if (depth > 0) {
    if (Array.isArray(value)) return value.map((item) => project(item, cls, view, depth - 1));
    if (typeof value === 'object' && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function') return Array.from(value as Iterable<unknown>, (item) => project(item, cls, view, depth - 1));
    // What graphql would report as "Expected Iterable", without printing the value.
    return new Error('a list field of a learner-data type resolved to something that is not a list');
  }
  if (Projection.is(value)) {
    // A resolver that hands on a projection: as it is if it is this request's, else its record.
    if (value instanceof cls && Projection.viewOf(value) === view) return value;
    return new cls(Projection.recordOf(value), view);
  }
  if (value instanceof Projection) return new Error('a copy of a projection is not a record (sharing/gate/projection.ts)');
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
