import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { authenticateOperator } from "./auth.js";
import type { HttpContext } from "./context.js";
import { registerDashboard } from "./dashboard.js";
import { installErrorHandlers } from "./errors.js";
import { registerOpenApi } from "./openapi/index.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerPendingRoutes } from "./routes/pending.js";
import { registerSendCommandRoute } from "./routes/send-command.js";
import { registerSiteRoutes } from "./routes/sites.js";

export type { HttpContext } from "./context.js";

/** 1 MiB: a configuration push is a few KiB; anything near this is a mistake. */
const BODY_LIMIT_BYTES = 1024 * 1024;

/** Central's REST API (§4 of the reference, plus sites, history and health). Not listening yet. */
export function buildHttpApp(context: HttpContext): FastifyInstance {
  const app = Fastify({
    loggerInstance: context.logger.child({ component: "http" }) as FastifyBaseLogger,
    // Fastify's per-request lines are replaced by the one debug line of the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Closing also ends idle keep-alive connections, so shutdown is not held up by them.
    forceCloseConnections: "idle",
  });
  // JSON only: a text/plain body gets 415 instead of reaching the validators as a string.
  app.removeContentTypeParser("text/plain");
  app.decorateRequest("operator", null);
  installErrorHandlers(app);
  app.addHook("onResponse", async (request, reply) => {
    request.log.debug(
      {
        method: request.method,
        url: request.url,
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      "Request served",
    );
  });

  // First: it records every route registered after it, for the OpenAPI document.
  registerOpenApi(app);
  registerHealthRoutes(app, context);
  registerDashboard(app, { dashboardDir: context.config.dashboardDir, logger: context.logger });
  app.register(
    async (api) => {
      api.addHook("onRequest", async (request) => {
        request.operator = await authenticateOperator(context.db, request);
      });
      registerSiteRoutes(api, context);
      registerPendingRoutes(api, context);
      registerSendCommandRoute(api, context);
    },
    { prefix: "/api" },
  );
  return app;
}
