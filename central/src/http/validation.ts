import { describeIssues, uuid } from "@neopro/protocol";
import type { z } from "zod";
import { ApiFailure } from "./errors.js";

/** A path id, checked to be a UUID (400 INVALID_ID otherwise). */
export function parseId(value: unknown, what: "site" | "command"): string {
  const parsed = uuid.safeParse(value);
  if (!parsed.success)
    throw new ApiFailure(400, "INVALID_ID", `The ${what} id ${JSON.stringify(value)} is not a UUID`);
  return parsed.data;
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? undefined);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ApiFailure(400, "INVALID_BODY", `Invalid request body: ${summarise(issues)}`, { issues });
  }
  return parsed.data;
}

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query ?? {});
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ApiFailure(400, "INVALID_QUERY", `Invalid query string: ${summarise(issues)}`, { issues });
  }
  return parsed.data;
}

function summarise(issues: { path: string; message: string }[]): string {
  return issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`).join("; ");
}
