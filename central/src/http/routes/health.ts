import type { FastifyInstance } from "fastify";
import type { Queryable } from "../../db/database.js";
import type { HttpContext } from "../context.js";

/** Liveness and readiness probes (no authentication: they reveal nothing). */
export function registerHealthRoutes(app: FastifyInstance, context: HttpContext): void {
  app.get("/health/live", async () => ({ status: "ok" }));

  app.get("/health/ready", async (request, reply) => {
    if (context.stopping.aborted) return reply.code(503).send({ status: "stopping" });
    try {
      await pingDatabase(context.db);
      return { status: "ready" };
    } catch (error) {
      request.log.warn({ err: error }, "Readiness check failed: the database does not answer");
      return reply.code(503).send({ status: "unavailable", message: "The database does not answer" });
    }
  });
}

async function pingDatabase(db: Queryable): Promise<void> {
  await db.query("SELECT 1");
}
