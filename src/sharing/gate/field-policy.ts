import { applyDecorators } from '@nestjs/common';
import { Extensions, Field, type FieldOptions, type ReturnTypeFunc } from '@nestjs/graphql';
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { DisclosureCategory } from '../../common/disclosure-category';
import type { GraphqlContext } from './graphql-context';

/**
 * Every field of a learner-data type declares, once, what it is (docs/sharing-rules.md rule 14), in the field's
 * `extensions.policy` where the schema-walking test reads it:
 * - GATED: a value of a disclosure category; resolved for a recipient only under an agreement in
 *   force, otherwise null (and listed in `withheld`).
 * - IDENTITY: data the recipient supplied or may know (name, email, employee number); shown to
 *   whoever may see the learner at all.
 * - INTERNAL: for provider staff and the learner only; always null for employers and brokers.
 */
export type FieldPolicy = { policy: 'GATED'; category: DisclosureCategory } | { policy: 'IDENTITY' } | { policy: 'INTERNAL' };

/** Where the enrolment of a gated value is: an Enrolment is one; results and certificates name theirs. */
function enrolmentIdOf(source: { id: string; enrolmentId?: string }): string {
  return source.enrolmentId ?? source.id;
}

/**
 * The gate, enforced in one place for every field of the schema: after the schema is built, each
 * field that declared a policy gets its resolver wrapped (so a field with its own @ResolveField
 * cannot bypass it), and fields without one are left untouched. The wrapper is synchronous — a
 * lookup of a decision made per page (decide per page, project per field: docs/architecture.md, "The gate") — so it adds no promise per field, which on
 * a 500-learner page is tens of thousands of fields.
 */
export function enforceFieldPolicies(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const policy = field.extensions as Partial<FieldPolicy>;
      if (policy.policy === 'GATED' || policy.policy === 'INTERNAL') field.resolve = guarded(policy as FieldPolicy, field.resolve ?? defaultFieldResolver);
    }
  }
  return schema;
}

function guarded(policy: FieldPolicy, resolve: GraphQLFieldResolver<unknown, GraphqlContext>): GraphQLFieldResolver<unknown, GraphqlContext> {
  return (source, args, context, info) => {
    const view = context.view;
    if (view === undefined) return null; // no view: deny
    if (view.kind === 'FULL') return resolve(source, args, context, info);
    if (policy.policy !== 'GATED') return null; // INTERNAL: never for employers and brokers
    const enrolmentId = enrolmentIdOf(source as { id: string; enrolmentId?: string });
    if (!view.allows(enrolmentId, policy.category)) return null;
    view.markDisclosed(enrolmentId, policy.category);
    return resolve(source, args, context, info);
  };
}

export function GatedField(category: DisclosureCategory, type: ReturnTypeFunc, options: Omit<FieldOptions, 'nullable'> = {}) {
  return applyDecorators(
    Field(type, {
      ...options,
      nullable: true,
      description: `${options.description ? `${options.description} ` : ''}[${category}]`,
    }),
    Extensions({ policy: 'GATED', category }),
  );
}

export function IdentityField(type: ReturnTypeFunc, options: FieldOptions = {}) {
  return applyDecorators(Field(type, options), Extensions({ policy: 'IDENTITY' }));
}

export function InternalField(type: ReturnTypeFunc, options: Omit<FieldOptions, 'nullable'> = {}) {
  return applyDecorators(
    Field(type, { ...options, nullable: true }),
    Extensions({ policy: 'INTERNAL' }),
  );
}
