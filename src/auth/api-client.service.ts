import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CONTROL_CONNECTION } from '../common/database/control-connection';
import { DomainError } from '../common/errors/domain-error';
import { isUuid } from '../common/uuid';
import { OrganisationEntity } from '../organisations/organisation.entity';
import type { Actor, ActorKind } from './actor';
import { ApiClientEntity } from './api-client.entity';
import { generateClientId, generateClientSecret, hashClientSecret, verifyClientSecret } from './client-secret';

export interface CreatedApiClient {
  apiClient: ApiClientEntity;
  /** Shown once, never stored in clear. */
  clientSecret: string;
}

export interface AuthenticatedClient {
  client: ApiClientEntity;
  kind: ActorKind;
}

const KIND_BY_ORGANISATION: Record<OrganisationEntity['kind'], ActorKind> = {
  EMPLOYER: 'EMPLOYER_CLIENT',
  BROKER: 'BROKER_CLIENT',
  PROVIDER: 'PROVIDER_STAFF', // the learning platform's service account
};

@Injectable()
export class ApiClientService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectDataSource(CONTROL_CONNECTION) private readonly control: DataSource,
  ) {}

  async create(organisationId: string, name: string, createdBy: string): Promise<CreatedApiClient> {
    const secret = generateClientSecret();
    const org = await this.dataSource.getRepository(OrganisationEntity).findOneBy({ id: organisationId });
    if (!org) throw DomainError.badInput('input.organisationId', 'no such organisation');
    const repo = this.dataSource.getRepository(ApiClientEntity);
    const apiClient = repo.create({
      organisationId,
      name,
      clientId: generateClientId(),
      secretHash: await hashClientSecret(secret),
      createdBy,
      revokedAt: null,
    });
    await repo.insert(apiClient);
    return { apiClient, clientSecret: secret };
  }

  async revoke(id: string): Promise<ApiClientEntity> {
    const repo = this.dataSource.getRepository(ApiClientEntity);
    const client = isUuid(id) ? await repo.findOneBy({ id }) : null;
    if (!client) throw DomainError.notFound('API client');
    if (!client.revokedAt) {
      await this.dataSource.query(`UPDATE api_clients SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [id]);
      return repo.findOneByOrFail({ id });
    }
    return client;
  }

  /** Provider staff see every client; an organisation's own clients see their siblings only. */
  list(actor: Actor, organisationId?: string): Promise<ApiClientEntity[]> {
    if (organisationId !== undefined && !isUuid(organisationId)) throw DomainError.badInput('organisationId', 'must be an organisation id (a UUID)');
    const scope = actor.kind === 'PROVIDER_STAFF' ? organisationId : actor.organisationId;
    if (actor.kind !== 'PROVIDER_STAFF' && organisationId !== undefined && organisationId !== actor.organisationId) {
      return Promise.resolve([]);
    }
    return this.dataSource.getRepository(ApiClientEntity).find({
      where: scope ? { organisationId: scope } : {},
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /**
   * The same work whatever the client id: an unknown, revoked or malformed one is checked against
   * a stand-in hash, so the answer's timing says nothing about which client ids exist.
   */
  async authenticate(clientId: string, secret: string): Promise<AuthenticatedClient | null> {
    // Ids and secrets are ours: printable ASCII, bounded. Anything else (a NUL byte, a megabyte)
    // never reaches the database, and is answered like a wrong secret.
    const wellFormed = CREDENTIAL.test(clientId) && CREDENTIAL.test(secret);
    const client = wellFormed
      ? await this.control.getRepository(ApiClientEntity).findOne({ where: { clientId }, relations: { organisation: true } })
      : null;
    const usable = client !== null && !client.revokedAt && client.organisation !== undefined && client.organisation !== null;
    const matches = await verifyClientSecret(wellFormed ? secret : '', usable ? client.secretHash : await standInHash());
    if (!usable || !matches) return null;
    return { client, kind: KIND_BY_ORGANISATION[client.organisation!.kind] };
  }
}

const CREDENTIAL = /^[\x21-\x7e]{1,256}$/;

let standIn: Promise<string> | undefined;
/** A hash no secret matches, with the same parameters as real ones: the work done for a client that does not exist. */
function standInHash(): Promise<string> {
  standIn ??= hashClientSecret(randomBytes(32).toString('base64url'));
  return standIn;
}
