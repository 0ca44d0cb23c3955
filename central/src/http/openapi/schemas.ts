import { z } from "zod";

/**
 * Answer schemas only the OpenAPI document needs. The shapes of the API's
 * answers live in the protocol (`@neopro/protocol`, answers.ts), shared with
 * the CLI and the dashboard; ./components.ts names them for the document.
 */
export const openApiDocument = z
  .looseObject({ openapi: z.string(), info: z.unknown(), paths: z.unknown() })
  .describe("This document");
