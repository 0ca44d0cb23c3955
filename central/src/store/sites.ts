import type { Queryable } from "../db/database.js";

export type SiteStatus = "online" | "offline";

/** A site as the API shows it; never carries its token hash. */
export interface SiteRow {
  id: string;
  site_name: string;
  club_name: string;
  status: SiteStatus;
  last_seen_at: Date | null;
  agent_version: string | null;
  created_at: Date;
  /** Every row the site has in pending_commands, deliverable or not (the operator sees them all). */
  pending_count: number;
  oldest_pending: Date | null;
}

const SITE_COLUMNS = `
  s.id, s.site_name, s.club_name, s.status, s.last_seen_at, s.agent_version, s.created_at,
  (SELECT COUNT(*)::int FROM pending_commands pc WHERE pc.site_id = s.id) AS pending_count,
  (SELECT MIN(pc.created_at) FROM pending_commands pc WHERE pc.site_id = s.id) AS oldest_pending`;

export async function createSite(
  db: Queryable,
  site: { siteName: string; clubName: string; tokenHash: string },
): Promise<SiteRow> {
  const { rows } = await db.query<SiteRow>(
    `INSERT INTO sites AS s (site_name, club_name, token_hash) VALUES ($1, $2, $3)
     RETURNING s.id, s.site_name, s.club_name, s.status, s.last_seen_at, s.agent_version, s.created_at,
               0 AS pending_count, NULL::timestamptz AS oldest_pending`,
    [site.siteName, site.clubName, site.tokenHash],
  );
  return rows[0] as SiteRow;
}

export async function getSite(db: Queryable, siteId: string): Promise<SiteRow | null> {
  const { rows } = await db.query<SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites s WHERE s.id = $1`, [siteId]);
  return rows[0] ?? null;
}

/** These sites as the API shows them (for the operators' live feed); unknown ids are left out. */
export async function getSitesByIds(db: Queryable, siteIds: string[]): Promise<SiteRow[]> {
  if (siteIds.length === 0) return [];
  const { rows } = await db.query<SiteRow>(
    `SELECT ${SITE_COLUMNS} FROM sites s WHERE s.id = ANY($1::uuid[])`,
    [siteIds],
  );
  return rows;
}

export interface ListSitesOptions {
  limit: number;
  offset: number;
  /** Matches site or club name, case-insensitively, anywhere in the name. */
  search?: string;
  status?: SiteStatus;
}

export async function listSites(
  db: Queryable,
  options: ListSitesOptions,
): Promise<{ total: number; sites: SiteRow[] }> {
  const pattern = options.search ? `%${escapeLike(options.search)}%` : null;
  const filter = `($1::text IS NULL OR s.site_name ILIKE $1 OR s.club_name ILIKE $1)
                  AND ($2::text IS NULL OR s.status = $2)`;
  const filterValues = [pattern, options.status ?? null];
  const [count, page] = await Promise.all([
    db.query<{ total: number }>(`SELECT COUNT(*)::int AS total FROM sites s WHERE ${filter}`, filterValues),
    db.query<SiteRow>(
      `SELECT ${SITE_COLUMNS} FROM sites s WHERE ${filter}
       ORDER BY s.club_name, s.site_name, s.id LIMIT $3 OFFSET $4`,
      [...filterValues, options.limit, options.offset],
    ),
  ]);
  return { total: count.rows[0]?.total ?? 0, sites: page.rows };
}

/** `%` and `_` in a search are literal characters, not wildcards. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The site's token hash, for authenticating its agent (nothing else reads it). */
export async function getSiteCredentials(
  db: Queryable,
  siteId: string,
): Promise<{ id: string; token_hash: string } | null> {
  const { rows } = await db.query<{ id: string; token_hash: string }>(
    "SELECT id, token_hash FROM sites WHERE id = $1",
    [siteId],
  );
  return rows[0] ?? null;
}

/** The stored token hashes of these sites (for agents' handshakes); unknown ids are left out. */
export async function getSitesCredentials(
  db: Queryable,
  siteIds: string[],
): Promise<Map<string, { id: string; token_hash: string }>> {
  if (siteIds.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; token_hash: string }>(
    "SELECT id, token_hash FROM sites WHERE id = ANY($1::uuid[])",
    [siteIds],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

export interface SiteConnection {
  siteId: string;
  connectionId: string;
  agentVersion: string;
}

/**
 * Marks sites online, owned by these connections; one statement for many
 * sites (see db/coalescer.ts). When a site appears twice, the later
 * connection (the newest) wins.
 */
export async function markSitesOnline(db: Queryable, connections: SiteConnection[]): Promise<void> {
  if (connections.length === 0) return;
  await db.query(
    `UPDATE sites SET status = 'online', last_seen_at = NOW(), connection_id = c.connection_id,
                      agent_version = c.agent_version, updated_at = NOW()
     FROM (SELECT DISTINCT ON (site_id) site_id, connection_id, agent_version
           FROM ROWS FROM (jsonb_to_recordset($1::text::jsonb) AS (site_id uuid, connection_id text, agent_version text))
                WITH ORDINALITY AS c(site_id, connection_id, agent_version, arrival)
           ORDER BY site_id, arrival DESC) AS c
     WHERE sites.id = c.site_id`,
    [
      JSON.stringify(
        connections.map((connection) => ({
          site_id: connection.siteId,
          connection_id: connection.connectionId,
          agent_version: connection.agentVersion,
        })),
      ),
    ],
  );
}

export async function markSiteOnline(
  db: Queryable,
  siteId: string,
  connection: { connectionId: string; agentVersion: string },
): Promise<void> {
  await markSitesOnline(db, [{ siteId, ...connection }]);
}

/** How many commands each of these sites has in pending_commands (any state). */
export async function countPendingOfSites(db: Queryable, siteIds: string[]): Promise<Map<string, number>> {
  if (siteIds.length === 0) return new Map();
  const { rows } = await db.query<{ site_id: string; pending: number }>(
    `SELECT site_id, COUNT(*)::int AS pending FROM pending_commands
     WHERE site_id = ANY($1::uuid[]) GROUP BY site_id`,
    [siteIds],
  );
  return new Map(rows.map((row) => [row.site_id, row.pending]));
}

/**
 * Marks the site offline only if `connectionId` still owns it: when a newer
 * socket has replaced this one, the old socket's late disconnect changes nothing.
 */
export async function markSiteOffline(db: Queryable, siteId: string, connectionId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE sites SET status = 'offline', last_seen_at = NOW(), connection_id = NULL, updated_at = NOW()
     WHERE id = $1 AND connection_id = $2`,
    [siteId, connectionId],
  );
  return rowCount > 0;
}

export async function touchSite(db: Queryable, siteId: string): Promise<void> {
  await db.query("UPDATE sites SET last_seen_at = NOW() WHERE id = $1", [siteId]);
}

/** At central's start no agent is connected yet, whatever the previous run left behind. */
export async function markAllSitesOffline(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE sites SET status = 'offline', connection_id = NULL, updated_at = NOW()
     WHERE status <> 'offline' OR connection_id IS NOT NULL`,
  );
  return rowCount;
}
