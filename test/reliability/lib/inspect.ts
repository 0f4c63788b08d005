/**
 * Reads a stopped server's database from the test: the rows a run left behind (inbound messages,
 * replies and their statuses, jobs still active). Opening a PGlite directory after a SIGKILL is
 * also the check that the directory recovers: a corrupted one fails to open or loses rows.
 */
import { openDb } from '../../../src/store/index.ts';

export interface DbFacts {
  inbound: number;
  inboundDistinct: number;
  outbound: number;
  /** Outbound messages by status. */
  outboundByStatus: Record<string, number>;
  /** Decisions with action reply. */
  replyDecisions: number;
  /** pg-boss jobs by state (Sellify's queues only). */
  jobsByState: Record<string, number>;
}

export async function inspectDb(target: { dataDir: string; databaseUrl?: string }): Promise<DbFacts> {
  const db = await openDb({
    dataDir: target.dataDir,
    ...(target.databaseUrl ? { databaseUrl: target.databaseUrl, maxConnections: 1 } : {}),
  });
  try {
    const one = async (sql: string) => Number((await db.exec(sql)).rows[0]?.n ?? 0);
    const grouped = async (sql: string) => {
      const out: Record<string, number> = {};
      for (const row of (await db.exec(sql)).rows) out[String(row.k)] = Number(row.n);
      return out;
    };
    return {
      inbound: await one(`SELECT count(*) AS n FROM messages WHERE direction = 'in'`),
      inboundDistinct: await one(
        `SELECT count(DISTINCT (channel_id, provider_id)) AS n FROM messages WHERE direction = 'in'`,
      ),
      outbound: await one(`SELECT count(*) AS n FROM messages WHERE direction = 'out'`),
      outboundByStatus: await grouped(
        `SELECT status AS k, count(*) AS n FROM messages WHERE direction = 'out' GROUP BY status`,
      ),
      replyDecisions: await one(`SELECT count(*) AS n FROM decisions WHERE action = 'reply'`),
      jobsByState: await grouped(
        `SELECT state AS k, count(*) AS n FROM pgboss.job WHERE name IN ('outbound', 'inbound', 'followup') GROUP BY state`,
      ),
    };
  } finally {
    await db.close();
  }
}
