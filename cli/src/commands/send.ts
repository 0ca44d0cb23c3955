import {
  COMMAND_TYPES,
  COMMANDS,
  describeIssues,
  priority as priorityRange,
  type SendAnswer,
  sendCommandBody,
} from "@neopro/protocol";
import { EXIT_CODES, usageError } from "../errors.js";
import { parseDuration } from "../params/duration.js";
import { buildParams, describeParams } from "../params/index.js";
import type { CommandContext, CommandOutcome } from "./context.js";
import { renderResult } from "./results.js";
import { resolveSiteId } from "./site-ref.js";

export interface SendOptions {
  /** `--param key=value`, repeated (absent when none). */
  param?: string[];
  paramsFile?: string;
  priority?: string;
  expiresIn?: string;
  maxAttempts?: string;
  description?: string;
  /** false with `--no-queue`: refuse rather than queue when the site is offline. */
  queue: boolean;
  wait?: string;
}

/** Margin over `--wait` for central to answer once its wait is over. */
const WAIT_MARGIN_MS = 10_000;

/** `cq send`: everything is checked here first (type, params, priority, expiry); then one request. */
export async function sendCommand(
  { client, output }: CommandContext,
  site: string,
  type: string,
  options: SendOptions,
): CommandOutcome {
  const body = checkBody({
    command: type,
    params: buildParams(type, { pairs: options.param ?? [], file: options.paramsFile }),
    queueIfOffline: options.queue,
    ...(options.priority === undefined ? {} : { priority: parsePriority(options.priority) }),
    ...(options.expiresIn === undefined ? {} : { expiresAt: expiryFrom(options.expiresIn) }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: parseMaxAttempts(options.maxAttempts) }),
    ...(options.description === undefined ? {} : { description: options.description }),
  });
  const waitSeconds = options.wait === undefined ? undefined : parseWait(options.wait);
  const siteId = await resolveSiteId(client, site);
  const answer = await client.post<SendAnswer>(`/api/sites/${siteId}/command`, body, {
    query: { wait: waitSeconds },
    ...(waitSeconds ? { timeoutMs: waitSeconds * 1000 + WAIT_MARGIN_MS } : {}),
  });
  if (output.json) output.data(answer.body);
  else describeAnswer(output, type, answer.body);
  if (answer.status === 202) return EXIT_CODES.stillRunning;
  if ("status" in answer.body && answer.body.status !== "succeeded") return EXIT_CODES.commandFailed;
  return undefined;
}

function describeAnswer(output: CommandContext["output"], type: string, answer: SendAnswer): void {
  if ("timedOut" in answer || !("status" in answer)) {
    // The server's own words: the reference's French message, or the wait that ran out.
    output.line(answer.message);
    output.line(`Command id: ${answer.commandId}`);
    return;
  }
  output.line(`Command ${answer.commandId}: ${answer.status}`);
  if (answer.error) output.problem(`${answer.error.code}: ${answer.error.message}`);
  if (answer.result !== null && answer.result !== undefined) output.line(renderResult(type, answer.result));
}

function parsePriority(text: string): number {
  const parsed = priorityRange.safeParse(Number(text));
  if (!parsed.success || text.trim() === "") {
    throw usageError(
      `--priority ${text}: give a whole number from 1 (Urgent) to 10 (Très basse); 5 is Normal`,
    );
  }
  return parsed.data;
}

function parseMaxAttempts(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 100) {
    throw usageError(`--max-attempts ${text}: give a whole number from 1 to 100`);
  }
  return value;
}

function parseWait(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw usageError(`--wait ${text}: give the seconds to wait for the result, e.g. --wait 30`);
  }
  return value;
}

function expiryFrom(text: string): string {
  return new Date(Date.now() + parseDuration(text)).toISOString();
}

/** The whole body against the schema central checks it with (e.g. a description over 500 characters). */
function checkBody<T>(body: T): T {
  const parsed = sendCommandBody.safeParse(body);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw usageError(
      `Invalid command: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`,
      {
        issues,
      },
    );
  }
  return body;
}

/** For `cq send --help`: each type, whether it can wait in the queue, and its params (`?`: optional). */
export function describeCommandTypes(): string {
  const lines = COMMAND_TYPES.map((type) => {
    const mode = COMMANDS[type].queueable ? "queued if offline" : "online only";
    return `  ${type.padEnd(20)} ${mode.padEnd(18)} ${describeParams(type) || "(no params)"}`;
  });
  return `Command types:\n${lines.join("\n")}`;
}
