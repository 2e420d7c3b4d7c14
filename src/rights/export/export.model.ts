import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { enumOf } from '../../common/graphql/enum-of';
import { EXPORT_STATUSES, type ExportStatus } from './learner-export.entity';
import { EXPORT_FORMATS } from './export.service';

export const ExportStatusEnum = enumOf(EXPORT_STATUSES, 'ExportStatus', 'READY: downloadable until expiresAt; EXPIRED: the files were deleted.');
export const ExportFormatEnum = enumOf(
  EXPORT_FORMATS.map((f) => f.toUpperCase() as 'JSON' | 'PDF'),
  'ExportFormat',
  'PDF: printable, in your language. JSON: machine-readable (docs/learner-export.schema.json).',
);

@ObjectType('LearnerExport', { description: 'A copy of everything held about a learner (docs/learner-rights.md).' })
export class LearnerExportModel {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  learnerId: string;

  @Field(() => ID, { nullable: true, description: 'The request it answers.' })
  requestId: string | null;

  @Field(() => ExportStatusEnum)
  status: ExportStatus;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  readyAt: Date | null;

  @Field(() => Date, { nullable: true })
  expiresAt: Date | null;

  @Field(() => Int, { nullable: true })
  jsonBytes: number | null;

  @Field(() => Int, { nullable: true })
  pdfBytes: number | null;

  @Field(() => String, { nullable: true })
  jsonSha256: string | null;

  @Field(() => String, { nullable: true })
  pdfSha256: string | null;
}

@ObjectType('ExportDownload', { description: 'A signed link to one file of a ready export; it works without a token, until expiresAt.' })
export class ExportDownloadModel {
  @Field()
  url: string;

  @Field()
  expiresAt: Date;
}
