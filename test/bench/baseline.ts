import type pg from "pg";

export interface PostgresBaseline {
  singleRowPerTransaction: { rows: number; ms: number };
  batched: { rows: number; batchSize: number; ms: number };
}

/**
 * What this PostgreSQL does without our code, on the same database and
 * connection type: one INSERT per transaction, and 100-row batched INSERTs.
 */
export async function measurePostgresBaseline(db: pg.Client): Promise<PostgresBaseline> {
  await db.query(
    "CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, site_id uuid NOT NULL, data jsonb NOT NULL, created_at timestamptz DEFAULT now())",
  );
  const site = "00000000-0000-4000-8000-000000000000";
  const singleRows = 2_000;
  let started = Date.now();
  for (let index = 0; index < singleRows; index++) {
    await db.query("BEGIN");
    await db.query("INSERT INTO bench_baseline (site_id, data) VALUES ($1, $2)", [site, { index }]);
    await db.query("COMMIT");
  }
  const singleMs = Date.now() - started;

  const batchSize = 100;
  const batches = 200;
  started = Date.now();
  for (let batch = 0; batch < batches; batch++) {
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (let index = 0; index < batchSize; index++) {
      values.push(site, { index });
      tuples.push(`($${values.length - 1}, $${values.length})`);
    }
    await db.query(`INSERT INTO bench_baseline (site_id, data) VALUES ${tuples.join(", ")}`, values);
  }
  const batchedMs = Date.now() - started;
  await db.query("DROP TABLE bench_baseline");
  return {
    singleRowPerTransaction: { rows: singleRows, ms: singleMs },
    batched: { rows: batchSize * batches, batchSize, ms: batchedMs },
  };
}
