import type { EmbeddedPostgresHandle } from '../../src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __embeddedPg?: EmbeddedPostgresHandle }).__embeddedPg?.stop();
}
