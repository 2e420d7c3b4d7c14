import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/** Pieces of at most this size: small enough to stream, large enough to keep inserts few. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * Writes a file into `learner_export_chunks` as it is produced, in the caller's transaction (the
 * export appears whole or not at all), holding at most one chunk in memory.
 */
export class ChunkSink {
  private parts: Buffer[] = [];
  private size = 0;
  private seq = 0;
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly exportId: string,
    private readonly format: 'json' | 'pdf',
  ) {}

  async write(data: string | Buffer): Promise<void> {
    this.take(data);
    if (this.size >= CHUNK_BYTES) await this.flush();
  }

  /** Synchronous intake (a PDF renderer's data events); `flush()` writes it out. */
  take(data: string | Buffer): void {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.hash.update(b);
    this.bytes += b.length;
    this.parts.push(b);
    this.size += b.length;
  }

  /** Writes every full chunk taken in so far; the rest waits for more (or for `end`). */
  async flush(): Promise<void> {
    if (this.size < CHUNK_BYTES) return;
    let all = Buffer.concat(this.parts);
    while (all.length >= CHUNK_BYTES) {
      await this.insert(all.subarray(0, CHUNK_BYTES));
      all = all.subarray(CHUNK_BYTES);
    }
    this.parts = all.length ? [Buffer.from(all)] : [];
    this.size = all.length;
  }

  async end(): Promise<{ bytes: number; sha256: string }> {
    await this.flush();
    if (this.size > 0) await this.insert(Buffer.concat(this.parts));
    this.parts = [];
    this.size = 0;
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  private async insert(data: Buffer): Promise<void> {
    await this.em.query(`INSERT INTO learner_export_chunks (export_id, format, seq, data) VALUES ($1, $2, $3, $4)`, [this.exportId, this.format, this.seq++, data]);
  }
}
