import type { EntityManager } from 'typeorm';
import { uuid7 } from '../common/uuid7';
import type { ChangedRecord } from './learner-change.entity';

/** Writes one row per changed field, in the caller's transaction (docs/learner-rights.md, "Rectification"). */
export async function logChanges(em: EntityManager, change: { learnerId: string; record: ChangedRecord; recordId: string; fields: string[]; changedBy: string }): Promise<void> {
  if (change.fields.length === 0) return;
  await em.query(
    `INSERT INTO learner_changes (id, learner_id, record, record_id, field, changed_by) SELECT unnest($1::uuid[]), $2, $3, $4, unnest($5::text[]), $6`,
    [change.fields.map(() => uuid7()), change.learnerId, change.record, change.recordId, change.fields, change.changedBy],
  );
}

/** The fields of `patch` whose value differs from `current` (undefined: not given). */
export function changedFields<T extends object>(current: T, patch: Partial<T>): (keyof T & string)[] {
  return (Object.keys(patch) as (keyof T & string)[]).filter((k) => patch[k] !== undefined && patch[k] !== current[k]);
}
