import { applyDecorators } from '@nestjs/common';
import { Extensions, Field, type FieldOptions, type ReturnTypeFunc } from '@nestjs/graphql';
import type { GraphQLSchema } from 'graphql';
import type { DisclosureCategory } from '../../common/disclosure-category';
import { installProjections } from './projection';

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

/**
 * The gate, enforced in one place for every field of the schema: after the schema is built, every
 * object of a type with a GATED or INTERNAL field reaches GraphQL only as a projection through the
 * request's view (projection.ts), so a field with its own @ResolveField cannot bypass it either.
 * The check is synchronous — a lookup of a decision made per page (decide per page, project per
 * field: docs/architecture.md, "The gate") — so it adds no promise per field, which on a
 * 500-learner page is tens of thousands of fields.
 */
export function enforceFieldPolicies(schema: GraphQLSchema): GraphQLSchema {
  return installProjections(schema);
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
