import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/index.js";
import {
  createSite,
  enqueueCommand,
  findOperatorByTokenHash,
  getSite,
  getSiteCredentials,
  listSites,
  markAllSitesOffline,
  markSiteOffline,
  markSiteOnline,
  touchSite,
  upsertOperator,
} from "../../src/store/index.js";
import {
  DATABASE_KINDS,
  newSite,
  openTestDatabase,
  queuedCommand,
  type TestDatabaseHandle,
} from "./databases.js";

describe.each(DATABASE_KINDS)("sites and operators on %s", (kind) => {
  let handle: TestDatabaseHandle;
  let db: Database;

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    db = handle.db;
  });
  afterAll(() => handle?.destroy());

  it("a new site is offline, has no pending commands and never shows its token hash", async () => {
    const site = await createSite(db, {
      siteName: "Gymnase Nord",
      clubName: "HBC Nord",
      tokenHash: "hash-1",
    });

    expect(site).toMatchObject({
      site_name: "Gymnase Nord",
      club_name: "HBC Nord",
      status: "offline",
      last_seen_at: null,
      pending_count: 0,
      oldest_pending: null,
    });
    expect(await getSite(db, site.id)).toEqual(site);
    expect(Object.keys(site)).not.toContain("token_hash");
    expect(await getSiteCredentials(db, site.id)).toEqual({ id: site.id, token_hash: "hash-1" });
  });

  it("a site counts its pending commands", async () => {
    const site = await newSite(db);
    await enqueueCommand(db, queuedCommand(site.id));
    await enqueueCommand(db, queuedCommand(site.id));

    const row = await getSite(db, site.id);

    expect(row?.pending_count).toBe(2);
    expect(row?.oldest_pending).toBeInstanceOf(Date);
  });

  it("an unknown site is null", async () => {
    expect(await getSite(db, "00000000-0000-4000-8000-000000000000")).toBeNull();
    expect(await getSiteCredentials(db, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });

  it("lists sites by page, by name and by status; % in a search is a plain character", async () => {
    await db.query("DELETE FROM sites");
    const alpha = await createSite(db, { siteName: "Salle A", clubName: "Alpha 100%", tokenHash: "a" });
    const beta = await createSite(db, { siteName: "Salle B", clubName: "Beta", tokenHash: "b" });
    const gamma = await createSite(db, { siteName: "Stade Alpha", clubName: "Gamma", tokenHash: "c" });
    await markSiteOnline(db, beta.id, { connectionId: "socket-b", agentVersion: "1.0.0" });

    const firstPage = await listSites(db, { limit: 2, offset: 0 });
    expect(firstPage.total).toBe(3);
    expect(firstPage.sites.map((site) => site.id)).toEqual([alpha.id, beta.id]);
    const byName = await listSites(db, { limit: 10, offset: 0, search: "alpha" });
    expect(byName.sites.map((site) => site.id)).toEqual([alpha.id, gamma.id]);
    const percent = await listSites(db, { limit: 10, offset: 0, search: "0%" });
    expect(percent.sites.map((site) => site.id)).toEqual([alpha.id]);
    expect((await listSites(db, { limit: 10, offset: 0, search: "%" })).total).toBe(1);
    const online = await listSites(db, { limit: 10, offset: 0, status: "online" });
    expect(online).toMatchObject({ total: 1, sites: [{ id: beta.id, agent_version: "1.0.0" }] });
  });

  it("a late disconnect of a replaced socket leaves the site online", async () => {
    const site = await newSite(db);
    await markSiteOnline(db, site.id, { connectionId: "old-socket", agentVersion: "1.0.0" });
    await markSiteOnline(db, site.id, { connectionId: "new-socket", agentVersion: "1.0.1" });

    expect(await markSiteOffline(db, site.id, "old-socket")).toBe(false);
    expect((await getSite(db, site.id))?.status).toBe("online");

    expect(await markSiteOffline(db, site.id, "new-socket")).toBe(true);
    const row = await getSite(db, site.id);
    expect(row?.status).toBe("offline");
    expect(row?.last_seen_at).toBeInstanceOf(Date);
  });

  it("touch records activity; at start every site is offline", async () => {
    const site = await newSite(db);
    await touchSite(db, site.id);
    expect((await getSite(db, site.id))?.last_seen_at).toBeInstanceOf(Date);
    await markSiteOnline(db, site.id, { connectionId: "socket", agentVersion: "1.0.0" });

    expect(await markAllSitesOffline(db)).toBeGreaterThanOrEqual(1);

    expect((await listSites(db, { limit: 100, offset: 0, status: "online" })).total).toBe(0);
  });

  it("operators are found by token hash; upserting a name replaces its token", async () => {
    const created = await upsertOperator(db, { name: "admin", tokenHash: "old-hash" });
    const updated = await upsertOperator(db, { name: "admin", tokenHash: "new-hash" });

    expect(updated.id).toBe(created.id);
    expect(await findOperatorByTokenHash(db, "new-hash")).toEqual({ id: created.id, name: "admin" });
    expect(await findOperatorByTokenHash(db, "old-hash")).toBeNull();
  });
});
