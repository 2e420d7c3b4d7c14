/**
 * The name of the pool of the gated read path — the gate's facts statement, a page's children and
 * the ledger write — so that recipients' pages, however many are in flight, can hold at most
 * DATABASE_GATED_POOL_SIZE connections and never starve staff, learners or the in-process workers
 * of the main pool (docs/operations.md, "Database limits").
 */
export const GATED_CONNECTION = 'gated';
