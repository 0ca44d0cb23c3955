import type { SiteAnswer, SiteCreatedAnswer, SiteListAnswer } from "@neopro/protocol";
import { type Column, formatAgo, formatTime, renderTable } from "../output/index.js";
import type { CommandContext, CommandOutcome } from "./context.js";
import { resolveSiteId } from "./site-ref.js";

export interface ListSitesOptions {
  search?: string;
  status?: "online" | "offline";
  limit: number;
  offset: number;
}

const SITE_COLUMNS: Column<SiteAnswer>[] = [
  { header: "ID", value: (site) => site.id },
  { header: "SITE", value: (site) => site.site_name },
  { header: "CLUB", value: (site) => site.club_name },
  { header: "STATE", value: (site) => (site.online ? "online" : "offline") },
  { header: "LAST SEEN", value: (site) => formatTime(site.last_seen_at) },
  { header: "PENDING", value: (site) => String(site.pending_count), align: "right" },
  { header: "OLDEST PENDING", value: (site) => formatAgo(site.oldest_pending) },
];

export async function listSites(
  { client, output }: CommandContext,
  options: ListSitesOptions,
): CommandOutcome {
  const { body } = await client.get<SiteListAnswer>("/api/sites", { ...options });
  if (output.json) {
    output.data(body);
    return;
  }
  if (body.sites.length === 0) {
    output.line(body.total === 0 ? "No sites." : `No sites at offset ${body.offset} (${body.total} in all).`);
    return;
  }
  output.line(renderTable(body.sites, SITE_COLUMNS));
  const last = body.offset + body.sites.length;
  if (body.offset > 0 || last < body.total) {
    output.line(`\nSites ${body.offset + 1}–${last} of ${body.total}; --offset ${last} shows the next ones.`);
  }
}

export async function createSite(
  { client, output }: CommandContext,
  options: { name: string; club: string },
): CommandOutcome {
  const { body } = await client.post<SiteCreatedAnswer>("/api/sites", {
    siteName: options.name,
    clubName: options.club,
  });
  if (output.json) {
    output.data(body);
    return;
  }
  output.line(`Site created: ${body.siteName} (${body.clubName})`);
  output.line(`  SITE_ID=${body.id}`);
  output.line(`  SITE_TOKEN=${body.token}`);
  output.line("The agent's token is shown only now: put both values in the box's agent configuration.");
}

export async function showSite({ client, output }: CommandContext, reference: string): CommandOutcome {
  const siteId = await resolveSiteId(client, reference);
  const { body: site } = await client.get<SiteAnswer>(`/api/sites/${siteId}`);
  if (output.json) {
    output.data(site);
    return;
  }
  const fields: [string, string][] = [
    ["ID", site.id],
    ["Site", site.site_name],
    ["Club", site.club_name],
    ["State", site.online ? "online" : "offline"],
    ["Last seen", formatTime(site.last_seen_at)],
    ["Agent version", site.agent_version ?? "-"],
    ["Created", formatTime(site.created_at)],
    ["Pending commands", String(site.pending_count)],
    [
      "Oldest pending",
      site.oldest_pending ? `${formatTime(site.oldest_pending)} (${formatAgo(site.oldest_pending)})` : "-",
    ],
  ];
  const width = Math.max(...fields.map(([label]) => label.length));
  for (const [label, value] of fields) output.line(`${label.padEnd(width)}  ${value}`);
}
