import type { Queryable } from "../db/database.js";

/** Creates the operator, or gives an existing one (same name) this token. */
export async function upsertOperator(
  db: Queryable,
  operator: { name: string; tokenHash: string },
): Promise<{ id: string }> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (name, token_hash) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET token_hash = EXCLUDED.token_hash
     RETURNING id`,
    [operator.name, operator.tokenHash],
  );
  return { id: (rows[0] as { id: string }).id };
}

export async function findOperatorByTokenHash(
  db: Queryable,
  tokenHash: string,
): Promise<{ id: string; name: string } | null> {
  const { rows } = await db.query<{ id: string; name: string }>(
    "SELECT id, name FROM users WHERE token_hash = $1",
    [tokenHash],
  );
  return rows[0] ?? null;
}
