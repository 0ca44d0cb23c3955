import { createSiteBody, paginationQuery } from "@neopro/protocol";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { getCommand, listCommandHistory } from "../../store/history.js";
import { createSite, getSite, getSiteCredentials, listSites } from "../../store/sites.js";
import { generateToken, hashToken } from "../../tokens.js";
import type { HttpContext } from "../context.js";
import { ApiFailure } from "../errors.js";
import { parseBody, parseId, parseQuery } from "../validation.js";
import { siteNotFound } from "./pending.js";

export const listSitesQuery = paginationQuery.extend({
  search: z.string().trim().min(1).max(200).optional(),
  status: z.enum(["online", "offline"]).optional(),
});

type SiteParams = { Params: { id: string } };

/** Sites (create, list, show) and their command history. */
export function registerSiteRoutes(api: FastifyInstance, context: HttpContext): void {
  const { db, registry, operators } = context;

  api.post("/sites", async (request, reply) => {
    const { siteName, clubName } = parseBody(createSiteBody, request.body);
    // The token is shown in this response only; the database keeps its hash.
    const token = generateToken();
    const site = await createSite(db, { siteName, clubName, tokenHash: hashToken(token) });
    request.log.info({ siteId: site.id, siteName, clubName }, "Site created");
    operators.siteChanged(site.id);
    return reply.code(201).send({ id: site.id, siteName: site.site_name, clubName: site.club_name, token });
  });

  api.get("/sites", async (request) => {
    const query = parseQuery(listSitesQuery, request.query);
    const { total, sites } = await listSites(db, query);
    return {
      total,
      limit: query.limit,
      offset: query.offset,
      sites: sites.map((site) => ({ ...site, online: registry.isOnline(site.id) })),
    };
  });

  api.get<SiteParams>("/sites/:id", async (request) => {
    const siteId = parseId(request.params.id, "site");
    const site = await getSite(db, siteId);
    if (!site) throw siteNotFound(siteId);
    return { ...site, online: registry.isOnline(siteId) };
  });

  api.get<SiteParams>("/sites/:id/commands", async (request) => {
    const siteId = parseId(request.params.id, "site");
    const page = parseQuery(paginationQuery, request.query);
    if (!(await getSiteCredentials(db, siteId))) throw siteNotFound(siteId);
    const { total, commands } = await listCommandHistory(db, siteId, page);
    return { total, limit: page.limit, offset: page.offset, commands };
  });

  api.get<{ Params: { id: string; commandId: string } }>(
    "/sites/:id/commands/:commandId",
    async (request) => {
      const siteId = parseId(request.params.id, "site");
      const commandId = parseId(request.params.commandId, "command");
      const command = await getCommand(db, siteId, commandId);
      if (command) return command;
      if (!(await getSiteCredentials(db, siteId))) throw siteNotFound(siteId);
      throw new ApiFailure(404, "COMMAND_NOT_FOUND", `Site ${siteId} has no command ${commandId}`);
    },
  );
}
