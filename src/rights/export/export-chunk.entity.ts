import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { LearnerExportEntity } from './learner-export.entity';

/**
 * An export's files, in pieces of at most 256 kB: written while the export is built and read
 * back while it is downloaded, so neither holds a whole file in memory, and every API process
 * can serve any export (all state in PostgreSQL).
 */
@Entity('learner_export_chunks')
export class ExportChunkEntity {
  @PrimaryColumn({ name: 'export_id', type: 'uuid' })
  exportId: string;

  @ManyToOne(() => LearnerExportEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'export_id' })
  export?: LearnerExportEntity;

  /** 'json' or 'pdf'. */
  @PrimaryColumn({ type: 'text' })
  format: string;

  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'bytea' })
  data: Buffer;
}
