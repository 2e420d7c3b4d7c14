import { createPublicKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { DataSource } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import type { ChainHead } from './ledger-checkpoint.entity';

export interface CheckpointRow {
  id: string;
  createdAt: Date;
  heads: ChainHead[];
  kid: string;
}

/** What a checkpoint says about a chain that the chain no longer says. */
export interface CheckpointProblem {
  chain: number;
  seq: string;
  problem: string;
}

/**
 * Signed checkpoints of the ledger's chains (docs/ledger-and-notifications.md, "Tamper
 * evidence"). A hash chain shows an edited link but not a cut tail: delete a chain's newest
 * batches and what is left still verifies. A checkpoint records each chain's head — sequence,
 * batch hash, entry count — signed with the API's signing key (ES256) and kept in its own
 * append-only table, so verification can tell that the chain once went further.
 *
 * Plain class over a DataSource: the scheduled job, the GraphQL mutation and `npm run
 * ledger:verify` use the same code.
 */
export class LedgerCheckpoints {
  constructor(private readonly dataSource: DataSource) {}

  /** Takes a checkpoint now: every chain's head in one consistent snapshot, signed, stored. */
  async take(): Promise<CheckpointRow & { signature: string }> {
    return this.dataSource.transaction('REPEATABLE READ', async (em) => {
      const heads = (
        await em.query<{ chain: number; seq: string; batch_hash: string; entries: string }[]>(
          `SELECT h.chain, h.seq::text AS seq, b.batch_hash, h.entries::text AS entries
             FROM (SELECT chain, max(seq) AS seq, sum(entry_count) AS entries FROM ledger_batches GROUP BY chain) h
             JOIN ledger_batches b ON b.chain = h.chain AND b.seq = h.seq
            ORDER BY h.chain`,
        )
      ).map((h): ChainHead => ({ chain: h.chain, seq: h.seq, batchHash: h.batch_hash, entries: Number(h.entries) }));
      // Never sign a shorter chain than the last checkpoint saw: that is a cut tail, to report,
      // not to make official.
      const [previous] = await em.query<{ id: string; heads: ChainHead[] }[]>(`SELECT id::text, heads FROM ledger_checkpoints ORDER BY id DESC LIMIT 1`);
      const backwards = previous ? shrunk(previous.heads, heads) : null;
      if (backwards) throw DomainError.conflict('ledger', `checkpoint refused: ${backwards} since checkpoint ${previous.id} (run verifyLedger)`);
      const [key] = await em.query<{ kid: string; private_key_pem: string }[]>(
        `SELECT kid, private_key_pem FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1`,
      );
      if (!key) throw new Error('no signing key to sign a ledger checkpoint with');
      const [{ at }] = await em.query<{ at: Date }[]>(`SELECT now() AS at`);
      const signature = jwt.sign({ at: at.toISOString(), heads }, key.private_key_pem, { algorithm: 'ES256', keyid: key.kid, noTimestamp: true });
      const [row] = await em.query<{ id: string; created_at: Date }[]>(
        `INSERT INTO ledger_checkpoints (created_at, heads, kid, signature) VALUES ($1, $2, $3, $4) RETURNING id::text, created_at`,
        [at, JSON.stringify(heads), key.kid, signature],
      );
      return { id: row.id, createdAt: row.created_at, heads, kid: key.kid, signature };
    });
  }

  /**
   * The latest checkpoint against the chains as they are: its signature must verify with the key
   * it names, and every chain must still hold the batch it recorded, with as many entries up to it.
   * Returns the checkpoint checked (null if none was ever taken) and the first problem.
   */
  async check(): Promise<{ checkpoint: CheckpointRow | null; problem: CheckpointProblem | null }> {
    // Checkpoints only ever move forward: a later one that saw a shorter chain means a tail was
    // cut and a checkpoint taken (or planted) since.
    const history = await this.dataSource.query<{ id: string; heads: ChainHead[] }[]>(`SELECT id::text, heads FROM ledger_checkpoints ORDER BY id`);
    for (let i = 1; i < history.length; i++) {
      const backwards = shrunk(history[i - 1].heads, history[i].heads);
      if (backwards) {
        return { checkpoint: null, problem: { chain: -1, seq: '0', problem: `checkpoint ${history[i].id} saw less than checkpoint ${history[i - 1].id}: ${backwards}` } };
      }
    }
    const [latest] = await this.dataSource.query<{ id: string; created_at: Date; heads: ChainHead[]; kid: string; signature: string }[]>(
      `SELECT id::text, created_at, heads, kid, signature FROM ledger_checkpoints ORDER BY id DESC LIMIT 1`,
    );
    if (!latest) return { checkpoint: null, problem: null };
    const checkpoint: CheckpointRow = { id: latest.id, createdAt: latest.created_at, heads: latest.heads, kid: latest.kid };
    const [key] = await this.dataSource.query<{ public_jwk: Record<string, unknown> }[]>(`SELECT public_jwk FROM signing_keys WHERE kid = $1`, [latest.kid]);
    let signed: { heads?: ChainHead[] } | null = null;
    try {
      if (key) signed = jwt.verify(latest.signature, createPublicKey({ key: key.public_jwk as never, format: 'jwk' }), { algorithms: ['ES256'] }) as { heads?: ChainHead[] };
    } catch {
      signed = null;
    }
    // The signed heads are what counts; the column must say the same (jsonb reorders keys: compare values).
    if (!signed?.heads || canonical(signed.heads) !== canonical(latest.heads)) {
      return { checkpoint, problem: { chain: -1, seq: '0', problem: `checkpoint ${latest.id}: signature does not verify` } };
    }
    const heads = signed.heads;
    const rows = await this.dataSource.query<{ chain: number; seq: string; batch_hash: string | null; entries: string | null; head: string | null }[]>(
      `SELECT h.chain, h.seq, b.batch_hash,
              (SELECT sum(x.entry_count) FROM ledger_batches x WHERE x.chain = h.chain AND x.seq <= h.seq::bigint)::text AS entries,
              (SELECT max(x.seq) FROM ledger_batches x WHERE x.chain = h.chain)::text AS head
         FROM jsonb_to_recordset($1::jsonb) AS h(chain int, seq text)
         LEFT JOIN ledger_batches b ON b.chain = h.chain AND b.seq = h.seq::bigint
        ORDER BY h.chain`,
      [JSON.stringify(heads)],
    );
    for (const r of rows) {
      const recorded = heads.find((h) => h.chain === r.chain)!;
      const at = `checkpoint ${latest.id} of ${latest.created_at.toISOString()}`;
      if (r.batch_hash === null) {
        return { checkpoint, problem: { chain: r.chain, seq: recorded.seq, problem: `truncated: the chain ends at seq ${r.head ?? 0}, ${at} saw seq ${recorded.seq}` } };
      }
      if (r.batch_hash !== recorded.batchHash) return { checkpoint, problem: { chain: r.chain, seq: recorded.seq, problem: `batch hash differs from ${at}` } };
      if (Number(r.entries) !== recorded.entries) {
        return { checkpoint, problem: { chain: r.chain, seq: recorded.seq, problem: `${r.entries} entries up to this batch, ${at} counted ${recorded.entries}` } };
      }
    }
    return { checkpoint, problem: null };
  }
}

function canonical(heads: ChainHead[]): string {
  return JSON.stringify(heads.map((h) => [h.chain, String(h.seq), h.batchHash, Number(h.entries)]));
}

/** How `later` went back from `earlier` (a chain missing, shorter, or with fewer entries), or null. */
function shrunk(earlier: ChainHead[], later: ChainHead[]): string | null {
  for (const before of earlier) {
    const after = later.find((h) => h.chain === before.chain);
    if (!after) return `chain ${before.chain} is gone`;
    if (BigInt(after.seq) < BigInt(before.seq) || Number(after.entries) < Number(before.entries)) {
      return `chain ${before.chain} went back from seq ${before.seq} to ${after.seq}`;
    }
  }
  return null;
}
