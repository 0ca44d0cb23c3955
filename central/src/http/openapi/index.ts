import type { FastifyInstance } from "fastify";
import { buildOpenApiDocument, type RegisteredRoute } from "./document.js";

export { buildOpenApiDocument, type RegisteredRoute } from "./document.js";
export { OPERATIONS } from "./operations.js";

/**
 * Serves `GET /api/openapi.json` (no token: it reveals nothing a client does
 * not already need). Call it before any route is registered: it records
 * every route fastify adds and documents those, so the document always
 * lists the routes central really serves.
 */
export function registerOpenApi(app: FastifyInstance): void {
  const routes: RegisteredRoute[] = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  let document: unknown;
  app.get("/api/openapi.json", async () => {
    document ??= buildOpenApiDocument(routes);
    return document;
  });
}
