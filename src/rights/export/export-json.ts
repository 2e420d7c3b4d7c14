import type { Locale } from '../../common/locale';
import { Turns } from '../../common/turns';
import type { ChunkSink } from './chunk-sink';
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportReader } from './export-data';

/** Ledger entries or inbox rows serialised per turn of the event loop (~20 µs each). */
export const ITEMS_PER_TURN = 100;

/**
 * The machine-readable export (GDPR Art. 20), schema docs/learner-export.schema.json. Written as
 * it is read: the long sections (disclosures, notifications) a page at a time.
 */
export async function writeJson(reader: ExportReader, sink: ChunkSink, meta: { exportId: string; generatedAt: Date; locale: Locale; controller: string }): Promise<void> {
  const turns = new Turns(ITEMS_PER_TURN);
  const field = (name: string, value: unknown, first = false) => sink.write(`${first ? '' : ','}${JSON.stringify(name)}:${JSON.stringify(value)}`);
  await sink.write('{');
  await field('format', EXPORT_FORMAT, true);
  await field('version', EXPORT_VERSION);
  await field('exportId', meta.exportId);
  await field('generatedAt', meta.generatedAt);
  await field('locale', meta.locale);
  await field('controller', meta.controller);
  await field('learner', await reader.learner());
  await field('employments', await reader.employments());
  await field('enrolments', await reader.enrolments());
  await field('agreements', await reader.agreements());
  await field('objections', await reader.objections());
  await field('restrictions', await reader.restrictions());
  await streamed('disclosures', reader.disclosures());
  await streamed('notifications', reader.notifications());
  await field('requests', await reader.requests());
  await field('profileChanges', await reader.profileChanges());
  await field('exports', await reader.exports());
  await field('ledgerCheckpoint', await reader.ledgerCheckpoint());
  await sink.write('}');

  async function streamed(name: string, pages: AsyncIterable<unknown[]>): Promise<void> {
    await sink.write(`,${JSON.stringify(name)}:[`);
    let first = true;
    for await (const page of pages) {
      for (const item of page) {
        // The sink's write waits only when a chunk is full (~250 kB): without turns, a page of
        // items is written in one block of the event loop of the API process the job runs in.
        await sink.write(`${first ? '' : ','}${JSON.stringify(item)}`);
        await turns.step();
        first = false;
      }
    }
    await sink.write(']');
  }
}
