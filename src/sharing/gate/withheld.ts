import type { GraphQLObjectType } from 'graphql';
import type { DisclosureCategory } from '../../common/disclosure-category';
import type { RequestView } from './request-view';
import type { WithheldReason } from './withheld-reason';
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
  for (const gated of gatedFieldsOf(type)) {
    const decision = view.decision(enrolmentId, gated.category);
    if (!decision.allowed) withheld.push(gated.withheld(decision.reasons[0] ?? 'NO_AGREEMENT'));
  }
  return withheld;
}

/**
 * A GATED field of a type, and its `withheld` items, one per reason, shared by every object of
 * the page: a 500-learner page lists ~10,000 of them, and they live until the response is written
 * (fewer live objects, shorter garbage collections: docs/benchmarks.md). Frozen: nobody may change
 * what another object's list shows.
 */
class GatedField {
  private readonly items = new Map<WithheldReason, WithheldModel>();

  constructor(
    readonly field: string,
    readonly category: DisclosureCategory,
  ) {}

  withheld(reason: WithheldReason): WithheldModel {
    let item = this.items.get(reason);
    if (!item) this.items.set(reason, (item = Object.freeze({ field: this.field, reason })));
    return item;
  }
}

const gatedFields = new WeakMap<GraphQLObjectType, GatedField[]>();

/** The GATED fields of a type with their categories, read from the schema once per type. */
function gatedFieldsOf(type: GraphQLObjectType): GatedField[] {
  let fields = gatedFields.get(type);
  if (!fields) {
    fields = [];
    for (const [field, def] of Object.entries(type.getFields())) {
      const ext = def.extensions as { policy?: string; category?: DisclosureCategory };
      if (ext.policy === 'GATED' && ext.category) fields.push(new GatedField(field, ext.category));
    }
    gatedFields.set(type, fields);
  }
  return fields;
}
