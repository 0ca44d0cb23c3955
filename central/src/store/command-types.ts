import type { Queryable } from "../db/database.js";

/** The type of each of these commands of the site (ids of other sites are left out). */
export async function getCommandTypes(
  db: Queryable,
  siteId: string,
  ids: string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; command_type: string }>(
    "SELECT id, command_type FROM remote_commands WHERE site_id = $1 AND id = ANY($2::uuid[])",
    [siteId, ids],
  );
  return new Map(rows.map((row) => [row.id, row.command_type]));
}
