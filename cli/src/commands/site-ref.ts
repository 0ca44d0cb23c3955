import { type SiteListAnswer, uuid } from "@neopro/protocol";
import type { CentralClient } from "../client/index.js";
import { usageError } from "../errors.js";

/**
 * A site named on the command line: its id, or its name (site or club) when
 * that matches exactly one site, so people need not copy UUIDs.
 */
export async function resolveSiteId(client: CentralClient, reference: string): Promise<string> {
  if (uuid.safeParse(reference).success) return reference;
  const { body } = await client.get<SiteListAnswer>("/api/sites", { search: reference, limit: 20 });
  const wanted = reference.toLocaleLowerCase();
  const exact = body.sites.filter(
    (site) => site.site_name.toLocaleLowerCase() === wanted || site.club_name.toLocaleLowerCase() === wanted,
  );
  const candidates = exact.length > 0 ? exact : body.sites;
  if (candidates.length === 1) return (candidates[0] as { id: string }).id;
  if (candidates.length === 0) {
    throw usageError(`No site is named "${reference}" and it is not a site id; \`cq sites\` lists them`);
  }
  const names = candidates.map((site) => `  ${site.id}  ${site.site_name} (${site.club_name})`).join("\n");
  throw usageError(`"${reference}" matches ${body.total} sites; give one of their ids:\n${names}`);
}
