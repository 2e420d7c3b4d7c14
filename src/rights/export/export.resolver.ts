import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../../auth/actor';
import { Allow, CurrentActor } from '../../auth/auth.decorators';
import { DomainError } from '../../common/errors/domain-error';
import { isUuid } from '../../common/uuid';
import { RequestRegister } from '../../requests/request-register.service';
import { DownloadLinks } from './download-links';
import { ExportDownloadModel, ExportFormatEnum, LearnerExportModel } from './export.model';
import { ExportService, type ExportFormat } from './export.service';

/** Exports through the API: listing, a download link, and staff starting one for a request. */
@Resolver(() => LearnerExportModel)
export class ExportResolver {
  constructor(
    private readonly exports: ExportService,
    private readonly links: DownloadLinks,
    private readonly register: RequestRegister,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Query(() => [LearnerExportModel], { description: 'Learners: their own exports. Provider staff: the given learner’s.' })
  @Allow('LEARNER', 'PROVIDER_STAFF')
  learnerExports(@CurrentActor() actor: Actor, @Args('learnerId', { type: () => ID, nullable: true }) learnerId?: string) {
    if (actor.kind === 'LEARNER') return this.exports.list(actor.learnerId!);
    if (!learnerId || !isUuid(learnerId)) throw DomainError.badInput('learnerId', 'provider staff name the learner by id');
    return this.exports.list(learnerId);
  }

  @Query(() => LearnerExportModel, { description: "One export; another learner's answers exactly like an unknown id." })
  @Allow('LEARNER', 'PROVIDER_STAFF')
  learnerExport(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.exports.get(id, actor.kind === 'LEARNER' ? actor.learnerId : undefined);
  }

  @Mutation(() => ExportDownloadModel, { description: 'A short-lived signed link to the PDF or the JSON of a ready export (EXPORT_LINK_SECONDS).' })
  @Allow('LEARNER', 'PROVIDER_STAFF')
  async exportDownloadLink(
    @CurrentActor() actor: Actor,
    @Args('exportId', { type: () => ID }) exportId: string,
    @Args('format', { type: () => ExportFormatEnum }) format: 'JSON' | 'PDF',
  ) {
    const found = await this.exports.get(exportId, actor.kind === 'LEARNER' ? actor.learnerId : undefined);
    if (found.status === 'EXPIRED') throw DomainError.badInput('exportId', 'this export has expired and its files were deleted: ask for a new one');
    if (found.status !== 'READY') throw DomainError.badInput('exportId', `the export is ${found.status.toLowerCase()}`);
    // `by` is readable in the link: the provider's staff stay anonymous in it.
    return this.links.url(found.id, format.toLowerCase() as ExportFormat, actor.kind === 'LEARNER' ? `learner:${actor.learnerId}` : 'provider');
  }

  @Mutation(() => LearnerExportModel, {
    description: 'Provider staff: make a (new) export for an open access or portability request, e.g. one received by email; the learner is told when it is ready.',
  })
  @Allow('PROVIDER_STAFF')
  async startExport(@CurrentActor() actor: Actor, @Args('requestId', { type: () => ID }) requestId: string) {
    const request = await this.register.get(requestId);
    if (request.kind !== 'ACCESS' && request.kind !== 'PORTABILITY') throw DomainError.badInput('requestId', 'an export answers an access or portability request');
    if (request.status === 'ANSWERED' || request.status === 'REJECTED') throw DomainError.badInput('requestId', `the request is already ${request.status.toLowerCase()}`);
    return this.dataSource.transaction((em) => this.exports.start(em, { learnerId: request.learnerId, requestId, requestedBy: actor.subject }));
  }
}
