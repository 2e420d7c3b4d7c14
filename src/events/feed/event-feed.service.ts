import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { DEFAULT_PAGE_SIZE, type ConnectionShape } from '../../common/pagination/connection';
import { decodeCursor, encodeCursor } from '../../common/pagination/cursor';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { EventModel } from '../event.model';
import type { EventType } from '../event-types';

interface EventRow {
  position: string;
  id: string;
  type: EventType;
  learnerId: string | null;
  enrolmentId: string | null;
  courseId: string | null;
  categories: EventModel['categories'];
  reason: EventModel['reason'];
  endpointId: string | null;
  occurredAt: Date;
  createdAt: Date;
}

/**
 * A recipient's event feed (docs/events.md, "The feed"): its events in the order they were
 * written, oldest first, kept EVENTS_RETENTION_DAYS. The cursor is an event id; the feed
 * continues after that event's position, which is commit order, so paging until hasNextPage is
 * false and resuming later from the last cursor misses nothing and repeats nothing.
 */
@Injectable()
export class EventFeedService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async page(
    recipientId: string,
    args: { first?: number; after?: string; types?: EventType[]; since?: Date },
  ): Promise<ConnectionShape<EventModel>> {
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    let after = '0';
    if (args.after) {
      const id = decodeCursor(args.after);
      const [row] = await this.dataSource.query<{ position: string }[]>(
        `SELECT position FROM events WHERE id = $1 AND recipient_id = $2`,
        [id, recipientId],
      );
      // Another recipient's cursor reads exactly like an expired one.
      if (!row)
        throw DomainError.badInput(
          'after',
          `is not a cursor of your feed, or its event is older than ${this.config.events.retentionDays} days: start again without it`,
        );
      after = row.position;
    }
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT position, id, type, learner_id AS "learnerId", enrolment_id AS "enrolmentId", course_id AS "courseId", categories, reason,
              endpoint_id AS "endpointId", occurred_at AS "occurredAt", created_at AS "createdAt"
         FROM events
        WHERE recipient_id = $1 AND position > $2 AND ($3::text[] IS NULL OR type = ANY($3::text[])) AND ($4::timestamptz IS NULL OR created_at >= $4)
        ORDER BY position LIMIT $5`,
      [recipientId, after, args.types ?? null, args.since ?? null, first + 1],
    );
    // Field by field: a property added after an object spread (`{ ...e, typeName }`) is slow on
    // Node 20 (readable-disclosure.ts, readableItems).
    const nodes = rows.slice(0, first).map((e) => ({
      id: e.id,
      type: e.type,
      typeName: e.type,
      learnerId: e.learnerId,
      enrolmentId: e.enrolmentId,
      courseId: e.courseId,
      categories: e.categories,
      reason: e.reason,
      endpointId: e.endpointId,
      occurredAt: e.occurredAt,
      createdAt: e.createdAt,
    }));
    return {
      nodes,
      edges: nodes.map((node) => ({ cursor: encodeCursor(node.id), node })),
      pageInfo: {
        endCursor: nodes.length ? encodeCursor(nodes.at(-1)!.id) : (args.after ?? null),
        hasNextPage: rows.length > first,
      },
    };
  }
}
