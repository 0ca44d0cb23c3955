import type {
  CancelledAllAnswer,
  CancelledOneAnswer,
  PendingCommandAnswer,
  PendingListAnswer,
  QueueSummaryAnswer,
} from "@neopro/protocol";
import { usageError } from "../errors.js";
import { brief, type Column, formatAgo, formatPriority, formatTime, renderTable } from "../output/index.js";
import type { CommandContext, CommandOutcome } from "./context.js";
import { resolveSiteId } from "./site-ref.js";

const PENDING_COLUMNS: Column<PendingCommandAnswer>[] = [
  { header: "ID", value: (command) => command.id },
  { header: "TYPE", value: (command) => command.command_type },
  { header: "DESCRIPTION", value: (command) => command.description ?? "-" },
  { header: "PRIORITY", value: (command) => formatPriority(command.priority) },
  { header: "CREATED", value: (command) => formatTime(command.created_at) },
  { header: "EXPIRES", value: (command) => formatTime(command.expires_at) },
  { header: "ATTEMPTS", value: (command) => `${command.attempts}/${command.max_attempts}`, align: "right" },
  { header: "STATE", value: (command) => command.state },
  { header: "PARAMS", value: (command) => brief(command.command_data, 50) },
];

/** `cq pending <site>`: the site's queue in delivery order, with §8's states. */
export async function listPending({ client, output }: CommandContext, site: string): CommandOutcome {
  const siteId = await resolveSiteId(client, site);
  const { body } = await client.get<PendingListAnswer>(`/api/sites/${siteId}/pending-commands`);
  if (output.json) {
    output.data(body);
    return;
  }
  output.line(`${body.siteName} (${body.clubName}): ${body.pendingCount} pending command(s)`);
  if (body.commands.length > 0) output.line(`\n${renderTable(body.commands, PENDING_COLUMNS)}`);
}

/** `cq cancel <site> <commandId>` or `cq cancel <site> --all`. */
export async function cancelPending(
  { client, output }: CommandContext,
  site: string,
  commandId: string | undefined,
  options: { all?: boolean },
): CommandOutcome {
  if (Boolean(commandId) === Boolean(options.all)) {
    throw usageError(
      "Give either a command id or --all: cq cancel <site> <commandId> | cq cancel <site> --all",
    );
  }
  const siteId = await resolveSiteId(client, site);
  const path = commandId
    ? `/api/sites/${siteId}/pending-commands/${encodeURIComponent(commandId)}`
    : `/api/sites/${siteId}/pending-commands`;
  const { body } = await client.delete<CancelledOneAnswer | CancelledAllAnswer>(path);
  // The server's French message as given ("Commande annulée avec succès.", "N commande(s) … annulée(s).").
  if (output.json) {
    output.data(body);
    return;
  }
  output.line(body.message);
}

/** `cq summary`: every site with deliverable pending commands, oldest first, and the totals. */
export async function showSummary({ client, output }: CommandContext): CommandOutcome {
  const { body } = await client.get<QueueSummaryAnswer>("/api/sites/queue/summary");
  if (output.json) {
    output.data(body);
    return;
  }
  output.line(`${body.totalPending} pending command(s) on ${body.sitesWithPendingCommands} site(s)`);
  if (body.sites.length === 0) return;
  output.line(
    `\n${renderTable(body.sites, [
      { header: "SITE ID", value: (row) => row.site_id },
      { header: "CLUB", value: (row) => row.club_name },
      { header: "STATE", value: (row) => row.site_status },
      { header: "PENDING", value: (row) => String(row.pending_count), align: "right" },
      { header: "TOP PRIORITY", value: (row) => formatPriority(row.highest_priority) },
      { header: "OLDEST", value: (row) => formatAgo(row.oldest_command) },
      { header: "TYPES", value: (row) => row.command_types.join(", ") },
    ])}`,
  );
}
