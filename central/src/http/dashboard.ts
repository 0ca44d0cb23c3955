import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";

/** `dashboard/dist` of this checkout, from central/dist/http/ where this file runs. */
const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL("../../../dashboard/dist/", import.meta.url));

/**
 * Everything the dashboard loads comes from central itself (it may run
 * without internet); live updates use Socket.IO on the same origin.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** One year: Vite puts a content hash in every asset's name, so an asset never changes. */
const ASSET_MAX_AGE_SECONDS = 365 * 24 * 3600;

/**
 * Serves the built dashboard (a single page) at `/`. When it has not been
 * built, `/` says how to build it instead of answering 404.
 */
export function registerDashboard(
  app: FastifyInstance,
  options: { dashboardDir: string | undefined; logger: Logger },
): void {
  const root = resolve(options.dashboardDir ?? DEFAULT_DASHBOARD_DIR);
  if (!existsSync(join(root, "index.html"))) {
    options.logger.warn(
      { dashboardDir: root },
      "Dashboard not built: run `npm run build` (or set DASHBOARD_DIR to a built dashboard); the API works without it",
    );
    app.get("/", async (_request, reply) =>
      reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send(
          `Tableau de bord non construit (${root} manque). Lancez « npm run build » puis redémarrez central.`,
        ),
    );
    return;
  }
  app.register(fastifyStatic, {
    root,
    prefix: "/",
    index: "index.html",
    cacheControl: false,
    setHeaders(response, path) {
      response.setHeader("content-security-policy", CONTENT_SECURITY_POLICY);
      response.setHeader("x-content-type-options", "nosniff");
      response.setHeader(
        "cache-control",
        path.includes(`${root}/assets/`) ? `public, max-age=${ASSET_MAX_AGE_SECONDS}, immutable` : "no-cache",
      );
    },
  });
}
