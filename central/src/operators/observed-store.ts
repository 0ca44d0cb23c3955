import type { BatchedStore } from "../agents/batched-store.js";
import type { OperatorFeed } from "./feed.js";

/**
 * The delivery path's store, reporting to the operators' feed what it
 * changed: a site coming online, deliveries confirmed, results recorded.
 */
export function observeDeliveryStore(store: BatchedStore, feed: OperatorFeed): BatchedStore {
  return {
    ...store,
    async confirmDelivered(siteId, commandIds) {
      await store.confirmDelivered(siteId, commandIds);
      feed.commandsChanged(
        siteId,
        commandIds.map((commandId) => ({ commandId, status: "delivered" })),
      );
      feed.siteChanged(siteId);
    },
    async recordResults(siteId, reports) {
      const recorded = await store.recordResults(siteId, reports);
      if (recorded.length > 0) {
        const statusOf = new Map(reports.map((report) => [report.commandId, report.status]));
        feed.commandsChanged(
          siteId,
          recorded.flatMap(({ id }) => {
            const status = statusOf.get(id);
            return status ? [{ commandId: id, status }] : [];
          }),
        );
        // A result that overtook its delivery acknowledgement also leaves the queue.
        feed.siteChanged(siteId);
      }
      return recorded;
    },
    async markOnline(connection) {
      await store.markOnline(connection);
      feed.siteChanged(connection.siteId);
    },
  };
}
