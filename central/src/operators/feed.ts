import type { CommandStatus, CommandStatusChange, SiteSnapshot } from "@neopro/protocol";
import type { Logger } from "pino";
import type { Queryable } from "../db/database.js";
import { getSitesByIds, type SiteRow } from "../store/sites.js";

/**
 * Where central reports what operators watch live: a site's connection or
 * queue changed, commands changed status. Calls are cheap and synchronous
 * (they only mark), so they can sit on the delivery path.
 */
export interface OperatorFeed {
  /** The site connected, disconnected, or its pending commands changed. */
  siteChanged(siteId: string): void;
  commandsChanged(siteId: string, changes: { commandId: string; status: CommandStatus }[]): void;
}

/** What the feed sends to, once per flush. */
export interface OperatorAudience {
  /** False when no operator is connected: marks are dropped, nothing is read. */
  hasListeners(): boolean;
  isOnline(siteId: string): boolean;
  sendSites(sites: SiteSnapshot[]): void;
  /** Sends each site's changes to the operators watching that site. */
  sendCommandChanges(siteId: string, changes: CommandStatusChange[]): void;
}

export interface CoalescingFeed extends OperatorFeed {
  /** Stops flushing and waits for a flush under way (before the database closes). */
  stop(): Promise<void>;
}

/**
 * Marks are gathered for `flushDelayMs` and sent together: a thousand agents
 * connecting at once, or a drain of thousands of commands, become a few
 * messages and one site query per flush instead of one per change.
 */
export function createCoalescingFeed(options: {
  db: Queryable;
  audience: OperatorAudience;
  logger: Logger;
  flushDelayMs: number;
}): CoalescingFeed {
  const { db, audience, logger, flushDelayMs } = options;
  let dirtySites = new Set<string>();
  let commandChanges = new Map<string, CommandStatusChange[]>();
  let timer: NodeJS.Timeout | undefined;
  // Flushes run one after the other, so an older site read never overwrites a newer one.
  let flushes: Promise<void> = Promise.resolve();
  let stopped = false;

  function schedule() {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      flushes = flushes.then(flush);
    }, flushDelayMs);
    timer.unref();
  }

  async function flush() {
    const siteIds = [...dirtySites];
    const changes = commandChanges;
    dirtySites = new Set();
    commandChanges = new Map();
    if (!audience.hasListeners()) return;
    for (const [siteId, siteChanges] of changes) audience.sendCommandChanges(siteId, siteChanges);
    if (siteIds.length === 0) return;
    try {
      const rows = await getSitesByIds(db, siteIds);
      audience.sendSites(rows.map((row) => toSnapshot(row, audience.isOnline(row.id))));
    } catch (error) {
      logger.warn(
        { err: error, sites: siteIds.length },
        "Could not read sites for the operators' live feed; their pages catch up at the next change",
      );
    }
  }

  return {
    siteChanged(siteId) {
      if (!audience.hasListeners()) return;
      dirtySites.add(siteId);
      schedule();
    },
    commandsChanged(siteId, changes) {
      if (!audience.hasListeners() || changes.length === 0) return;
      const siteChanges = commandChanges.get(siteId) ?? [];
      for (const { commandId, status } of changes) siteChanges.push({ siteId, commandId, status });
      commandChanges.set(siteId, siteChanges);
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await flushes;
    },
  };
}

function toSnapshot(row: SiteRow, online: boolean): SiteSnapshot {
  return {
    id: row.id,
    site_name: row.site_name,
    club_name: row.club_name,
    status: row.status,
    online,
    last_seen_at: row.last_seen_at?.toISOString() ?? null,
    agent_version: row.agent_version,
    created_at: row.created_at.toISOString(),
    pending_count: row.pending_count,
    oldest_pending: row.oldest_pending?.toISOString() ?? null,
  };
}
