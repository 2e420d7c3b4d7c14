import type { GraphQLObjectType } from 'graphql';
import type { DisclosureCategory } from '../../common/disclosure-category';
import type { RequestView } from './request-view';
import type { WithheldModel } from './withheld.model';

/**
 * The `withheld` list of an object: every GATED field of its type (read from the schema, so it
 * can never disagree with the gate) whose category is not allowed, with the first reason as the
 * caller may see it (the view decides from the recipient's perspective: sharing-rules.ts). Withholding is not an error: the rest of the object is served.
 */
export function withheldOf(view: RequestView, type: GraphQLObjectType, source: { id: string; enrolmentId?: string }): WithheldModel[] {
  if (view.kind === 'FULL') return [];
  const enrolmentId = source.enrolmentId ?? source.id;
  const withheld: WithheldModel[] = [];
  for (const [field, category] of gatedFieldsOf(type)) {
    const decision = view.decision(enrolmentId, category);
    if (!decision.allowed) withheld.push({ field, reason: decision.reasons[0] ?? 'NO_AGREEMENT' });
  }
  return withheld;
}

const gatedFields = new WeakMap<GraphQLObjectType, [string, DisclosureCategory][]>();

/** The GATED fields of a type with their categories, read from the schema once per type. */
function gatedFieldsOf(type: GraphQLObjectType): [string, DisclosureCategory][] {
  let fields = gatedFields.get(type);
  if (!fields) {
    fields = [];
    for (const [field, def] of Object.entries(type.getFields())) {
      const ext = def.extensions as { policy?: string; category?: DisclosureCategory };
      if (ext.policy === 'GATED' && ext.category) fields.push([field, ext.category]);
    }
    gatedFields.set(type, fields);
  }
  return fields;
}
