import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { waitUntilUp } from '../wait-until-up';

/**
 * The page of bench/run.ts as PostGraphile names it: learners in id order, each with its employee
 * number, enrolments with every field, results and certificates.
 */
export const PEER_PAGE_QUERY = `query Page($after: Cursor) { allLearners(first: 500, after: $after, orderBy: PRIMARY_KEY_ASC) { nodes { rowId name employmentsByLearnerId { nodes { employeeNumber } } enrolmentsByLearnerId { nodes { rowId courseId status enrolledAt startedAt startsOn progressPercent lastActivityAt timeSpentMinutes completedAt assessmentResultsByEnrolmentId { nodes { assessmentName attemptedAt score maxScore passed } } certificatesByEnrolmentId { nodes { number issuedAt expiresAt accreditationPoints } } } } } pageInfo { endCursor hasNextPage } } }`;

/** Installs the peer's row-level-security policies (bench/peer/rls.sql, idempotent). */
export async function installPeerPolicies(databaseUrl: string): Promise<void> {
  const sql = readFileSync(join(__dirname, '..', '..', '..', 'bench', 'peer', 'rls.sql'), 'utf8');
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Starts PostGraphile as its own process, reading as `recipientId`, and waits until it answers. */
export async function startPeer(databaseUrl: string, port: number, recipientId: string): Promise<ChildProcess> {
  const peer = spawn(process.execPath, ['-r', join(__dirname, '..', '..', '..', 'bench', 'peer', 'with-resolvers.cjs'), join(__dirname, 'postgraphile-peer.js')], {
    env: { ...process.env, NODE_ENV: 'production', DATABASE_URL: databaseUrl, PORT: String(port), RECIPIENT_ID: recipientId },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return waitUntilUp(peer, 'PostGraphile peer', () =>
    fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }),
  );
}
