import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import type { AccessTokenClaims, ActorKind } from '../auth/actor';
import { SigningKeyService } from '../auth/signing-key.service';
import { TokenService } from '../auth/token.service';
import { loadConfig } from '../config/app-config';
import { databaseOptions } from '../database/database-options';
import { prepareDatabase } from '../database/prepare-database';
import { DEMO } from '../seed/demo-ids';

const HELP = `Mint an access token for local use, signed with the API's own key.

  npm run token -- <kind> [options]

kinds: staff | employer | broker | learner
  --org <uuid>        organisation (staff: the provider; employer/broker: the client's organisation)
  --client <id>       client_id of an existing API client (employer/broker)
  --learner <uuid>    learner id (learner)
  --ttl <seconds>     lifetime (default 3600)

Without options the demo actors are used, e.g. \`npm run token -- employer\`.
The token is printed alone on stdout, so TOKEN=$(npm run -s token -- staff) works.`;

const KINDS: Record<string, ActorKind> = {
  staff: 'PROVIDER_STAFF',
  employer: 'EMPLOYER_CLIENT',
  broker: 'BROKER_CLIENT',
  learner: 'LEARNER',
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      org: { type: 'string' },
      client: { type: 'string' },
      learner: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const kind = KINDS[positionals[0] ?? ''];
  if (values.help || !kind) {
    process.stderr.write(`${HELP}\n`);
    process.exit(values.help ? 0 : 64);
  }
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 60) throw new Error('--ttl must be at least 60 seconds (and at most JWT_MAX_LIFETIME_SECONDS)');

  const claims = claimsFor(kind, values);
  const config = loadConfig();
  const db = await prepareDatabase(config, undefined, { migrate: true });
  const ds = await new DataSource(databaseOptions(db.appUrl, 1)).initialize();
  try {
    const keys = new SigningKeyService(ds);
    await keys.onModuleInit();
    process.stdout.write(`${new TokenService(config, keys).issue(claims, ttl).accessToken}\n`);
  } finally {
    await ds.destroy();
    await db.stop();
  }
}

function claimsFor(kind: ActorKind, v: { org?: string; client?: string; learner?: string }): AccessTokenClaims {
  switch (kind) {
    case 'PROVIDER_STAFF':
      return { sub: 'staff:cli', kind, org: v.org ?? DEMO.providerId };
    case 'EMPLOYER_CLIENT':
      return { sub: v.client ?? DEMO.hrPortal.clientId, kind, org: v.org ?? DEMO.employerId, client_id: v.client ?? DEMO.hrPortal.clientId };
    case 'BROKER_CLIENT':
      return { sub: v.client ?? DEMO.broker.clientId, kind, org: v.org ?? DEMO.brokerId, client_id: v.client ?? DEMO.broker.clientId };
    case 'LEARNER':
      return { sub: v.learner ?? DEMO.learnerId(1), kind };
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`token: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
