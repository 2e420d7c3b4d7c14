import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

/**
 * The benchmark's peer (docs/benchmarks.md, "The peer"): PostGraphile 5 on the same database, reading as one
 * employer's HR portal under the row-level-security policies of bench/peer/rls.sql. Started by
 * `npm run bench` as its own process (like the API), with bench/peer/with-resolvers.cjs on Node 20.
 *
 * Env: DATABASE_URL, PORT, RECIPIENT_ID (the employer whose view every request reads).
 */
const databaseUrl = process.env.DATABASE_URL!;
const port = Number(process.env.PORT ?? 3901);
const recipientId = process.env.RECIPIENT_ID!;

const pgl = postgraphile({
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: databaseUrl,
      schemas: ['public'],
      // Introspect with the peer's privileges: only what it may read becomes schema.
      pgSettingsForIntrospection: { role: 'rsa_peer_reader' },
      poolConfig: { max: 10 },
    }),
  ],
  grafast: {
    // Every request reads as the employer, under its policies (no token handling: the peer is
    // measured for its data path, as the API is measured after its token check).
    context: () => ({ pgSettings: { role: 'rsa_peer_reader', 'app.recipient_id': recipientId } }),
  },
  grafserv: { port, graphqlPath: '/graphql', graphiql: false },
  schema: { pgForbidSetofFunctionsToReturnNull: false },
});

const server = createServer();
server.on('error', (e) => {
  console.error(e);
  process.exit(1);
});
pgl
  .createServ(grafserv)
  .addTo(server)
  .then(() => server.listen(port, '127.0.0.1', () => console.error(`peer: PostGraphile on :${port}`)))
  .catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
process.on('SIGTERM', () => {
  server.close();
  void Promise.resolve(pgl.release()).then(() => process.exit(0));
});
