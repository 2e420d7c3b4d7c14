import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { DEFAULT_PAGE_SIZE, type ConnectionShape } from '../../common/pagination/connection';
import { decodeCursor, encodeCursor } from '../../common/pagination/cursor';
import { isUuid } from '../../common/uuid';
import { uuid7 } from '../../common/uuid7';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { DeliveryStatus } from './webhook-delivery.entity';
import type {
  CreateWebhookEndpointInput,
  UpdateWebhookEndpointInput,
  WebhookDeliveryModel,
  WebhookEndpointModel,
} from './webhook.model';
import { checkWebhookUrl } from './webhook-url';
import { newSigningSecret } from './webhook-signing';

/** Endpoints one organisation may have: enough for a portal per environment, not a fan-out amplifier. */
export const MAX_ENDPOINTS_PER_OWNER = 10;
/** The longest overlap of a rotation: the old secret signs too for at most this long. */
export const MAX_ROTATION_OVERLAP_HOURS = 7 * 24;

const ENDPOINT_COLUMNS = `id, url, description, event_types AS "eventTypes", enabled, disabled_reason AS "disabledReason", max_in_flight AS "maxInFlight",
  consecutive_failures AS "consecutiveFailures", CASE WHEN previous_secret_until > now() THEN previous_secret_until END AS "previousSecretValidUntil",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * An organisation's webhook endpoints (docs/events.md, "Subscribing"). Every operation is scoped
 * to the caller's organisation: another organisation's endpoint id answers exactly like an
 * unknown one.
 */
@Injectable()
export class WebhookEndpointService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  list(ownerId: string): Promise<WebhookEndpointModel[]> {
    return this.dataSource.query(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE owner_id = $1 ORDER BY created_at, id`,
      [ownerId],
    );
  }

  async get(ownerId: string, id: string): Promise<WebhookEndpointModel> {
    if (!isUuid(id)) throw DomainError.notFound('WebhookEndpoint');
    const [row] = await this.dataSource.query<WebhookEndpointModel[]>(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1 AND owner_id = $2`,
      [id, ownerId],
    );
    if (!row) throw DomainError.notFound('WebhookEndpoint');
    return row;
  }

  async create(
    ownerId: string,
    input: CreateWebhookEndpointInput,
  ): Promise<{ endpoint: WebhookEndpointModel; secret: string }> {
    const url = this.url(input.url, 'input.url');
    const maxInFlight = this.maxInFlight(input.maxInFlight, 'input.maxInFlight');
    const secret = newSigningSecret();
    const id = uuid7();
    return this.dataSource.transaction(async (em) => {
      // Serialises creations per owner, so the limit holds under concurrent calls.
      await em.query(`SELECT pg_advisory_xact_lock(hashtext('webhook-endpoints:' || $1))`, [
        ownerId,
      ]);
      const [{ n }] = await em.query(
        `SELECT count(*)::int AS n FROM webhook_endpoints WHERE owner_id = $1`,
        [ownerId],
      );
      if (n >= MAX_ENDPOINTS_PER_OWNER)
        throw DomainError.badInput(
          'input.url',
          `you have ${MAX_ENDPOINTS_PER_OWNER} endpoints already, the most allowed: delete one first`,
        );
      const [endpoint] = await em.query(
        `INSERT INTO webhook_endpoints (id, owner_id, url, description, event_types, enabled, max_in_flight, secret)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${ENDPOINT_COLUMNS}`,
        [
          id,
          ownerId,
          url,
          input.description ?? null,
          input.eventTypes,
          input.enabled ?? true,
          maxInFlight,
          secret,
        ],
      );
      return { endpoint, secret };
    });
  }

  async update(
    ownerId: string,
    id: string,
    input: UpdateWebhookEndpointInput,
  ): Promise<WebhookEndpointModel> {
    await this.get(ownerId, id);
    const url =
      input.url === null || input.url === undefined ? null : this.url(input.url, 'input.url');
    const maxInFlight =
      input.maxInFlight === null || input.maxInFlight === undefined
        ? null
        : this.maxInFlight(input.maxInFlight, 'input.maxInFlight');
    const [[row]] = await this.dataSource.query(
      `UPDATE webhook_endpoints SET
          url = coalesce($3, url),
          event_types = coalesce($4, event_types),
          description = CASE WHEN $5 THEN $6 ELSE description END,
          max_in_flight = coalesce($7, max_in_flight),
          -- Enabling again starts a new run: the failures that disabled it are behind it.
          consecutive_failures = CASE WHEN $8::boolean IS TRUE AND NOT enabled THEN 0 ELSE consecutive_failures END,
          disabled_reason = CASE WHEN $8::boolean IS TRUE THEN NULL WHEN $8::boolean IS FALSE THEN 'disabled by its owner' ELSE disabled_reason END,
          enabled = coalesce($8, enabled),
          updated_at = now()
        WHERE id = $1 AND owner_id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
      [
        id,
        ownerId,
        url,
        input.eventTypes ?? null,
        input.description !== undefined,
        input.description ?? null,
        maxInFlight,
        input.enabled ?? null,
      ],
    );
    // Deleted between the two statements: as unknown.
    if (!row) throw DomainError.notFound('WebhookEndpoint');
    return row as WebhookEndpointModel;
  }

  /**
   * A new secret; the old one keeps signing beside it for `overlapHours` (each delivery then
   * carries both signatures), so the receiver can switch without losing a delivery.
   */
  async rotateSecret(
    ownerId: string,
    id: string,
    overlapHours: number,
  ): Promise<{ endpoint: WebhookEndpointModel; secret: string }> {
    if (
      !Number.isInteger(overlapHours) ||
      overlapHours < 0 ||
      overlapHours > MAX_ROTATION_OVERLAP_HOURS
    ) {
      throw DomainError.badInput(
        'overlapHours',
        `must be a whole number of hours from 0 to ${MAX_ROTATION_OVERLAP_HOURS}`,
      );
    }
    await this.get(ownerId, id);
    const secret = newSigningSecret();
    const [[endpoint]] = await this.dataSource.query(
      `UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = now() + make_interval(hours => $3), secret = $4, updated_at = now()
        WHERE id = $1 AND owner_id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
      [id, ownerId, overlapHours, secret],
    );
    if (!endpoint) throw DomainError.notFound('WebhookEndpoint');
    return { endpoint: endpoint as WebhookEndpointModel, secret };
  }

  async remove(ownerId: string, id: string): Promise<string> {
    await this.get(ownerId, id);
    await this.dataSource.query(`DELETE FROM webhook_endpoints WHERE id = $1 AND owner_id = $2`, [
      id,
      ownerId,
    ]);
    return id;
  }

  /** The endpoint's deliveries, oldest event first; with `status: FAILED`, its dead letters. */
  async deliveries(
    ownerId: string,
    args: { endpointId: string; status?: DeliveryStatus; first?: number; after?: string },
  ): Promise<ConnectionShape<WebhookDeliveryModel>> {
    await this.get(ownerId, args.endpointId);
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    // Paged in the feed's order (event position: commit order), so a kept cursor never skips a
    // delivery written later with an older id.
    let after = '0';
    if (args.after) {
      const [row] = await this.dataSource.query<{ position: string }[]>(
        `SELECT e.position FROM webhook_deliveries d JOIN events e ON e.id = d.event_id WHERE d.endpoint_id = $1 AND d.event_id = $2`,
        [args.endpointId, decodeCursor(args.after)],
      );
      if (!row) throw DomainError.badInput('after', 'is not a cursor of this endpoint\'s deliveries, or its event is past the feed\'s window');
      after = row.position;
    }
    const rows = await this.dataSource.query<(WebhookDeliveryModel & { cursor: string })[]>(
      `SELECT d.id, d.event_id AS "eventId", e.type AS "eventType", d.status, d.attempts, d.next_attempt_at AS "nextAttemptAt",
              d.last_attempt_at AS "lastAttemptAt", d.last_status AS "lastStatus", d.last_error AS "lastError",
              d.delivered_at AS "deliveredAt", d.created_at AS "createdAt"
         FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
        WHERE d.endpoint_id = $1 AND e.position > $2 AND ($3::text IS NULL OR d.status = $3)
        ORDER BY e.position LIMIT $4`,
      [args.endpointId, after, args.status ?? null, first + 1],
    );
    const nodes = rows.slice(0, first);
    return {
      nodes,
      edges: nodes.map((node) => ({ cursor: encodeCursor(node.eventId), node })),
      pageInfo: {
        endCursor: nodes.length ? encodeCursor(nodes.at(-1)!.eventId) : (args.after ?? null),
        hasNextPage: rows.length > first,
      },
    };
  }

  /** Dead letters (these, or all of the endpoint's) due again at once, with a fresh run of attempts. */
  async redrive(
    ownerId: string,
    endpointId: string,
    deliveryIds: string[] | null,
  ): Promise<number> {
    await this.get(ownerId, endpointId);
    if (deliveryIds?.some((d) => !isUuid(d)))
      throw DomainError.badInput('deliveryIds', 'must be delivery ids');
    const rows: unknown[] = await this.dataSource.query(
      `WITH again AS (UPDATE webhook_deliveries SET status = 'PENDING', attempts = 0, next_attempt_at = now(), lease_until = NULL
        WHERE endpoint_id = $1 AND status = 'FAILED' AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[])) RETURNING 1)
       SELECT 1 FROM again`,
      [endpointId, deliveryIds],
    );
    return rows.length;
  }

  private url(raw: string, field: string): string {
    const e = this.config.events;
    return checkWebhookUrl(raw, field, {
      requireHttps: e.webhookRequireHttps,
      allowPrivateTargets: e.webhookAllowPrivateTargets,
    });
  }

  private maxInFlight(n: number | null | undefined, field: string): number {
    const ceiling = this.config.events.webhookMaxInFlight;
    if (n === null || n === undefined) return ceiling;
    if (n > ceiling) throw DomainError.badInput(field, `must be at most ${ceiling}`);
    return n;
  }
}
