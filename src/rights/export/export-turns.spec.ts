import type { EntityManager } from 'typeorm';
import { ticker } from '../../../test/utils/turn-ticker';
import { ChunkSink } from './chunk-sink';
import type { ExportReader } from './export-data';
import { ITEMS_PER_TURN, writeJson } from './export-json';
import { ROWS_PER_TURN, writePdf } from './export-pdf';

/**
 * Exports run inside the API process by default: a long history must be written in turns of the
 * event loop, not in one block (docs/learner-rights.md, "Export"). A reader of 1,000 ledger entries
 * and 1,000 inbox rows, a sink whose inserts only count, the real pdfkit.
 */
describe('an export of a long history', () => {
  const ENTRIES = 1_000;
  const meta = { exportId: '00000000-0000-4000-8000-000000000001', generatedAt: new Date('2026-11-29T12:00:00Z'), locale: 'nl' as const, controller: 'Leerhuis Online' };

  function reader(): ExportReader {
    const named = { id: 'x', name: 'Zorggroep Noord' };
    const entries = Array.from({ length: ENTRIES }, (_, i) => ({
      id: `e-${i}`,
      kind: 'DISCLOSURE',
      reason: null,
      disclosedAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      recipient: named,
      operationName: 'Page',
      requestId: `r-${i}`,
      purged: false,
      items: [{ enrolmentId: 'n', course: { id: 'c', name: 'Veilig werken' }, categories: [{ category: 'PROGRESS', basis: 'PROCESSOR', agreementId: 'a', agreementVersionId: 'v', agreementVersion: 1, onBehalfOf: null }] }],
    }));
    const inbox = Array.from({ length: ENTRIES }, (_, i) => ({ id: `n-${i}`, kind: 'DISCLOSURE', createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)), readAt: null, emailedAt: null }));
    // As the reader's pages come: each after a query (here: a resolved promise, no turn).
    async function* pages<T>(rows: T[]) {
      for (let i = 0; i < rows.length; i += 250) yield await Promise.resolve(rows.slice(i, i + 250));
    }
    const none = () => Promise.resolve([]);
    return {
      learner: () => Promise.resolve({ id: 'l', name: 'Zoë de Vries', email: 'zoe@example.org', locale: 'nl', notificationFrequency: 'IMMEDIATE', createdAt: new Date() }),
      employments: none,
      enrolments: none,
      agreements: none,
      objections: none,
      restrictions: none,
      disclosures: () => pages(entries),
      notifications: () => pages(inbox),
      requests: none,
      profileChanges: none,
      exports: none,
      ledgerCheckpoint: () => Promise.resolve(null),
    } as unknown as ExportReader;
  }

  /** Runs `write`, counting the turns the event loop took meanwhile (a setImmediate that re-arms itself). */
  async function turnsDuring(write: (sink: ChunkSink) => Promise<void>): Promise<{ turns: number; bytes: number }> {
    const em = { query: () => Promise.resolve([]) } as unknown as EntityManager;
    const sink = new ChunkSink(em, meta.exportId, 'pdf');
    const turns = ticker();
    await write(sink);
    return { turns: turns.stop(), bytes: (await sink.end()).bytes };
  }

  it('draws the PDF a few rows a turn', async () => {
    const { turns, bytes } = await turnsDuring((sink) => writePdf(reader(), sink, meta));
    expect(bytes).toBeGreaterThan(10_000);
    // 2,000 rows (an entry's one item, an inbox row) in turns of ROWS_PER_TURN; without turns, only
    // the sink's inserts (every ~250 kB) and the reader's pages would give the loop one.
    expect(turns).toBeGreaterThanOrEqual(Math.floor((2 * ENTRIES) / ROWS_PER_TURN));
  }, 60_000);

  it('writes the JSON a hundred items a turn', async () => {
    const { turns } = await turnsDuring((sink) => writeJson(reader(), sink, meta));
    expect(turns).toBeGreaterThanOrEqual(Math.floor((2 * ENTRIES) / ITEMS_PER_TURN));
  });
});
