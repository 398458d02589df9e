// The test PostgreSQL (127.0.0.1:5432, trust auth, database `test`): tollgate.conf keys for a schema of one suite's
// own, and dropping that schema afterwards.
export const PG_USER = process.env.TOLLGATE_TEST_PG_USER ?? 'postgres';

export function pgConf(schema: string): Record<string, string> {
  return { database: 'postgres', pg_host: '127.0.0.1', pg_port: '5432', pg_user: PG_USER, pg_database: 'test', pg_schema: schema };
}

export async function dropSchema(schema: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg');
  const client = new Client({ host: '127.0.0.1', port: 5432, user: PG_USER, database: 'test' });
  // a reset after the query must not end the test process
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
