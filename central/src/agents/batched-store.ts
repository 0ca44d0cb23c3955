import type { ResultReport } from "@neopro/protocol";
import { createCoalescer, Lane } from "../db/coalescer.js";
import type { Database } from "../db/database.js";
import {
  type ClaimRequest,
  claimPendingBatches,
  confirmDeliveries,
  type SiteClaimedCommand,
} from "../store/queue.js";
import { recordSiteResults } from "../store/results.js";
import {
  countPendingOfSites,
  getSitesCredentials,
  markSitesOnline,
  type SiteConnection,
} from "../store/sites.js";

/**
 * The statements every connected site runs on the delivery path, merged
 * across sites so that a thousand agents connecting at once cost tens of
 * PostgreSQL commits rather than thousands (db/coalescer.ts). Each call still
 * concerns one site, and the SQL keeps every row to its own site.
 */
export interface BatchedStore {
  claim(request: ClaimRequest): Promise<SiteClaimedCommand[]>;
  confirmDelivered(siteId: string, commandIds: string[]): Promise<void>;
  /** Records a site's results; returns those recorded now, with their command types. */
  recordResults(siteId: string, reports: ResultReport[]): Promise<{ id: string; command_type: string }[]>;
  markOnline(connection: SiteConnection): Promise<void>;
  countPending(siteId: string): Promise<number>;
  siteCredentials(siteId: string): Promise<{ id: string; token_hash: string } | null>;
}

/** Sites merged into one statement at most; 100 × a 100-command batch is 10,000 rows. */
const MAX_SITES_PER_STATEMENT = 100;
export function createBatchedStore(db: Database): BatchedStore {
  const maxBatch = MAX_SITES_PER_STATEMENT;
  // Claims skip locked rows, counts and credentials only read: three runs of each lane at once
  // (the pool has 10 connections by default).
  const claims = { maxBatch, lane: new Lane(3) };
  const reads = { maxBatch, lane: new Lane(3) };
  // Confirmations and results both delete pending rows and update
  // remote_commands, often the same ones (a result can overtake its
  // confirmation): one statement at a time among them, or they deadlock.
  const deliveryWrites = { maxBatch, lane: new Lane(1) };
  // One at a time, so that when a site reconnects its newest connection is written last.
  const onlineMarks = { maxBatch, lane: new Lane(1) };

  const claim = createCoalescer(async (requests: ClaimRequest[]) => {
    const bySite = groupBySite(await claimPendingBatches(db, requests));
    return requests.map((request) => bySite.get(request.siteId) ?? []);
  }, claims);

  const confirm = createCoalescer(async (deliveries: { siteId: string; commandIds: string[] }[]) => {
    await confirmDeliveries(
      db,
      deliveries.flatMap(({ siteId, commandIds }) => commandIds.map((commandId) => ({ siteId, commandId }))),
    );
    return deliveries.map(() => undefined);
  }, deliveryWrites);

  const record = createCoalescer(async (batches: { siteId: string; reports: ResultReport[] }[]) => {
    const rows = await recordSiteResults(
      db,
      batches.flatMap(({ siteId, reports }) => reports.map((report) => ({ siteId, report }))),
    );
    const bySite = groupBySite(rows);
    return batches.map(({ siteId }) => bySite.get(siteId) ?? []);
  }, deliveryWrites);

  const online = createCoalescer(async (connections: SiteConnection[]) => {
    await markSitesOnline(db, connections);
    return connections.map(() => undefined);
  }, onlineMarks);

  const count = createCoalescer(async (siteIds: string[]) => {
    const pending = await countPendingOfSites(db, siteIds);
    return siteIds.map((siteId) => pending.get(siteId) ?? 0);
  }, reads);

  const credentials = createCoalescer(async (siteIds: string[]) => {
    const known = await getSitesCredentials(db, siteIds);
    return siteIds.map((siteId) => known.get(siteId) ?? null);
  }, reads);

  return {
    claim,
    confirmDelivered: (siteId, commandIds) => confirm({ siteId, commandIds }),
    recordResults: (siteId, reports) => record({ siteId, reports }),
    markOnline: online,
    countPending: count,
    siteCredentials: credentials,
  };
}

function groupBySite<T extends { site_id: string }>(rows: T[]): Map<string, T[]> {
  const bySite = new Map<string, T[]>();
  for (const row of rows) {
    const siteRows = bySite.get(row.site_id);
    if (siteRows) siteRows.push(row);
    else bySite.set(row.site_id, [row]);
  }
  return bySite;
}
