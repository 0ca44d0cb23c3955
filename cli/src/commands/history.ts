import type { CommandHistoryAnswer, CommandRecordAnswer } from "@neopro/protocol";
import { brief, type Column, formatTime, renderTable } from "../output/index.js";
import type { CommandContext, CommandOutcome } from "./context.js";
import { renderResult } from "./results.js";
import { resolveSiteId } from "./site-ref.js";

const HISTORY_COLUMNS: Column<CommandRecordAnswer>[] = [
  { header: "ID", value: (command) => command.id },
  { header: "TYPE", value: (command) => command.command_type },
  { header: "STATUS", value: (command) => command.status },
  { header: "CREATED", value: (command) => formatTime(command.created_at) },
  {
    header: "ENDED",
    value: (command) => formatTime(command.finished_at ?? command.cancelled_at ?? command.expired_at),
  },
  { header: "ATTEMPTS", value: (command) => String(command.attempts), align: "right" },
  { header: "RESULT", value: (command) => outcome(command) },
];

function outcome(command: CommandRecordAnswer): string {
  if (command.error_code) return `${command.error_code}: ${brief(command.error_message, 50)}`;
  return brief(command.result, 60);
}

/** `cq history <site>`: every command sent to the site, newest first. */
export async function showHistory(
  { client, output }: CommandContext,
  site: string,
  page: { limit: number; offset: number },
): CommandOutcome {
  const siteId = await resolveSiteId(client, site);
  const { body } = await client.get<CommandHistoryAnswer>(`/api/sites/${siteId}/commands`, { ...page });
  if (output.json) {
    output.data(body);
    return;
  }
  if (body.commands.length === 0) {
    output.line(body.total === 0 ? "No command was ever sent to this site." : "No commands at this offset.");
    return;
  }
  output.line(renderTable(body.commands, HISTORY_COLUMNS));
  const last = body.offset + body.commands.length;
  if (last < body.total) output.line(`\n${last} of ${body.total}; --offset ${last} shows older ones.`);
}

/** `cq command <site> <commandId>`: one command in full, its result readable. */
export async function showCommand(
  { client, output }: CommandContext,
  site: string,
  commandId: string,
): CommandOutcome {
  const siteId = await resolveSiteId(client, site);
  const { body } = await client.get<CommandRecordAnswer>(
    `/api/sites/${siteId}/commands/${encodeURIComponent(commandId)}`,
  );
  if (output.json) {
    output.data(body);
    return;
  }
  output.line(
    `${body.command_type} ${body.id}: ${body.status} (${body.attempts}/${body.max_attempts} attempts)`,
  );
  output.line(`Created ${formatTime(body.created_at)}, ended ${formatTime(body.finished_at)}`);
  output.line(`Params: ${JSON.stringify(body.command_data)}`);
  if (body.error_code) output.line(`Error: ${body.error_code}: ${body.error_message ?? ""}`);
  if (body.result !== null) output.line(renderResult(body.command_type, body.result));
}
