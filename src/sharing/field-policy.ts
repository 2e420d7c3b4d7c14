import { applyDecorators } from '@nestjs/common';
import { Extensions, Field, type FieldMiddleware, type FieldOptions, type ReturnTypeFunc } from '@nestjs/graphql';
import type { DisclosureCategory } from '../common/disclosure-category';
import type { GraphqlContext } from '../common/graphql/request-loaders';

/**
 * Every field of a learner-data type declares, once, what it is (DESIGN §3 rule 2), in the field's
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
 * The gate, enforced in one place for every field of the schema (installed as global field
 * middleware, so a field with its own @ResolveField cannot bypass it). It reads the policy the
 * field declared and does a cheap synchronous lookup of a decision made per page (STYLE habit 2).
 */
export const fieldPolicyMiddleware: FieldMiddleware = (ctx, next) => {
  const view = (ctx.context as GraphqlContext).view;
  if (view === undefined || view.kind === 'FULL') return next();
  const policy = ctx.info!.parentType.getFields()[ctx.info!.fieldName]?.extensions as Partial<FieldPolicy> | undefined;
  switch (policy?.policy) {
    case undefined:
    case 'IDENTITY':
      return next();
    case 'INTERNAL':
      return null;
    case 'GATED': {
      const enrolmentId = enrolmentIdOf(ctx.source as { id: string; enrolmentId?: string });
      if (!view.allows(enrolmentId, policy.category!)) return null;
      view.markDisclosed(enrolmentId, policy.category!);
      return next();
    }
  }
};

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
