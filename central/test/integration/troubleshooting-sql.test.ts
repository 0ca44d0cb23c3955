import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.js";
import { claimPendingBatch, enqueueCommand, listPendingCommands } from "../../src/store/index.js";
import {
  DATABASE_KINDS,
  newSite,
  openTestDatabase,
  queuedCommand,
  type TestDatabaseHandle,
} from "./databases.js";

/** The SQL of §8 (Dépannage) of the reference, copied verbatim. */
const TROUBLESHOOTING_SQL = {
  listSite: "SELECT * FROM pending_commands WHERE site_id = 'UUID_DU_SITE';",
  listAttempts: "SELECT id, command_type, attempts, max_attempts FROM pending_commands;",
  diagnose: `SELECT
  id,
  command_type,
  created_at,
  expires_at,
  attempts,
  max_attempts,
  CASE
    WHEN expires_at IS NOT NULL AND expires_at < NOW() THEN 'EXPIRÉ'
    WHEN attempts >= max_attempts THEN 'MAX TENTATIVES'
    ELSE 'EN ATTENTE'
  END as status
FROM pending_commands
WHERE site_id = 'UUID_DU_SITE';`,
  resetAttempts: `-- Réinitialiser les tentatives pour un site
UPDATE pending_commands
SET attempts = 0, last_attempt_at = NULL
WHERE site_id = 'UUID_DU_SITE';`,
  extendExpiry: `-- Prolonger l'expiration
UPDATE pending_commands
SET expires_at = NOW() + INTERVAL '7 days'
WHERE site_id = 'UUID_DU_SITE' AND expires_at < NOW();`,
  deleteExpired: `-- Supprimer les commandes expirées
DELETE FROM pending_commands
WHERE expires_at IS NOT NULL AND expires_at < NOW();`,
  deleteExhausted: `-- Supprimer les commandes avec trop de tentatives
DELETE FROM pending_commands
WHERE attempts >= max_attempts;`,
  deleteSite: "DELETE FROM pending_commands WHERE site_id = 'UUID_DU_SITE';",
};

const anHourAgo = () => new Date(Date.now() - 3_600_000);
const claimAll = { limit: 100, excludeIds: [] };

describe.each(DATABASE_KINDS)("§8 troubleshooting SQL on %s", (kind) => {
  let handle: TestDatabaseHandle;
  let db: Database;

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    db = handle.db;
  });
  afterAll(() => handle?.destroy());

  /** A site with one waiting, one expired and one exhausted command. */
  async function troubledSite() {
    const site = await newSite(db);
    const waiting = await enqueueCommand(db, queuedCommand(site.id));
    const expired = await enqueueCommand(db, queuedCommand(site.id, { expiresAt: anHourAgo() }));
    const exhausted = await enqueueCommand(db, queuedCommand(site.id, { maxAttempts: 1 }));
    await claimPendingBatch(db, site.id, { limit: 1, excludeIds: [waiting.id] });
    const run = (sql: string) => db.query<Record<string, unknown>>(sql.replaceAll("UUID_DU_SITE", site.id));
    return { site, waiting: waiting.id, expired: expired.id, exhausted: exhausted.id, run };
  }

  it("lists a site's pending commands and everyone's attempts", async () => {
    const { waiting, expired, exhausted, run } = await troubledSite();

    const siteRows = await run(TROUBLESHOOTING_SQL.listSite);
    const attempts = await run(TROUBLESHOOTING_SQL.listAttempts);

    expect(siteRows.rows.map((row) => row.id).sort()).toEqual([waiting, expired, exhausted].sort());
    expect(attempts.rows).toContainEqual({
      id: exhausted,
      command_type: "update_config",
      attempts: 1,
      max_attempts: 1,
    });
  });

  it("diagnoses each command as waiting, expired or out of attempts", async () => {
    const { waiting, expired, exhausted, run } = await troubledSite();

    const { rows } = await run(TROUBLESHOOTING_SQL.diagnose);

    const states = Object.fromEntries(rows.map((row) => [row.id, row.status]));
    expect(states).toEqual({ [waiting]: "EN ATTENTE", [expired]: "EXPIRÉ", [exhausted]: "MAX TENTATIVES" });
  });

  it("resetting attempts makes an exhausted command deliverable again", async () => {
    const { site, exhausted, run } = await troubledSite();

    await run(TROUBLESHOOTING_SQL.resetAttempts);

    const claimed = await claimPendingBatch(db, site.id, claimAll);
    expect(claimed.map((command) => command.id)).toContain(exhausted);
  });

  it("extending the expiry makes an expired command deliverable again", async () => {
    const { site, expired, run } = await troubledSite();

    const { rowCount } = await run(TROUBLESHOOTING_SQL.extendExpiry);

    expect(rowCount).toBe(1);
    const claimed = await claimPendingBatch(db, site.id, claimAll);
    expect(claimed.map((command) => command.id)).toContain(expired);
  });

  it("the clean-up deletes remove expired, exhausted, then all of a site's commands", async () => {
    const { site, waiting, run } = await troubledSite();

    await run(TROUBLESHOOTING_SQL.deleteExpired);
    await run(TROUBLESHOOTING_SQL.deleteExhausted);
    expect((await listPendingCommands(db, site.id)).map((row) => row.id)).toEqual([waiting]);

    await run(TROUBLESHOOTING_SQL.deleteSite);
    expect(await listPendingCommands(db, site.id)).toEqual([]);
  });
});
