import { readFileSync } from "node:fs";
import { COMMANDS, type CommandType, checkCommand, isCommandType } from "@neopro/protocol";
import { z } from "zod";
import { usageError } from "../errors.js";

export interface ParamsInput {
  /** `--param key=value`, in order; later ones win. */
  pairs: readonly string[];
  /** `--params-file f.json`: a JSON object, overridden by `pairs`. */
  file?: string;
}

/**
 * The params of a command, built from the command line and checked against
 * the protocol catalogue (the schemas central validates with) before
 * anything is sent: a mistake is a usage error (exit 2), not a refusal.
 */
export function buildParams(type: string, input: ParamsInput): Record<string, unknown> {
  const params: Record<string, unknown> = input.file ? readParamsFile(input.file) : {};
  if (isCommandType(type)) {
    const types = paramTypes(type);
    for (const pair of input.pairs) assign(params, pair, types);
  }
  const checked = checkCommand(type, params);
  if (!checked.ok) throw usageError(checked.message, { error: checked.error, issues: checked.issues });
  return params;
}

type JsonType = "string" | "number" | "integer" | "boolean" | "object" | "array" | undefined;

interface ParamsSchema {
  properties?: Record<string, { type?: JsonType }>;
  required?: string[];
}

function paramsSchema(type: CommandType): ParamsSchema {
  return z.toJSONSchema(COMMANDS[type].params, { io: "input", unrepresentable: "any" }) as ParamsSchema;
}

/** Each param's JSON type, from the catalogue's schema (what `--param k=v` turns v into). */
export function paramTypes(type: CommandType): Record<string, JsonType> {
  const { properties = {} } = paramsSchema(type);
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, value.type]));
}

/** `videoId, url, filename, sha256?, size?`: the params, optional ones marked. */
export function describeParams(type: CommandType): string {
  const { properties = {}, required = [] } = paramsSchema(type);
  return Object.keys(properties)
    .map((key) => (required.includes(key) ? key : `${key}?`))
    .join(", ");
}

/**
 * `key=value` sets a param, `key.sub=value` a field inside an object param
 * (e.g. `configuration.volume=80`). Numbers and booleans are converted when
 * the schema says so; object and array params take JSON.
 */
function assign(params: Record<string, unknown>, pair: string, types: Record<string, JsonType>): void {
  const separator = pair.indexOf("=");
  if (separator <= 0) throw usageError(`--param "${pair}" is not key=value`);
  const [key, ...path] = pair.slice(0, separator).split(".") as [string, ...string[]];
  const text = pair.slice(separator + 1);
  if (path.length === 0) {
    params[key] = convert(text, types[key], key);
    return;
  }
  if (types[key] !== "object") throw usageError(`--param "${pair}": ${key} is not an object param`);
  let target = objectAt(params, key, pair);
  for (const step of path.slice(0, -1)) target = objectAt(target, step, pair);
  target[path[path.length - 1] as string] = jsonOrText(text);
}

/** The object at `parent[key]`, made when absent. */
function objectAt(parent: Record<string, unknown>, key: string, pair: string): Record<string, unknown> {
  parent[key] ??= {};
  const value = parent[key];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw usageError(`--param "${pair}": ${key} already holds ${JSON.stringify(value)}, not an object`);
  }
  return value as Record<string, unknown>;
}

function convert(text: string, type: JsonType, key: string): unknown {
  switch (type) {
    case "integer":
    case "number": {
      const number = Number(text);
      // Left as text when not a number, so the catalogue's check names the param and what it expects.
      return text.trim() !== "" && Number.isFinite(number) ? number : text;
    }
    case "boolean":
      return text === "true" ? true : text === "false" ? false : text;
    case "object":
    case "array":
      try {
        return JSON.parse(text);
      } catch (error) {
        throw usageError(`--param ${key} takes JSON (${type}): ${(error as Error).message}`);
      }
    default:
      return text;
  }
}

/** A nested field's value: JSON when it reads as JSON (80, true, "x", [1]), else the text itself. */
function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function readParamsFile(path: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw usageError(`Cannot read the params file ${path}: ${(error as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw usageError(`The params file ${path} must hold a JSON object, like {"videoId": "…"}`);
  }
  return json as Record<string, unknown>;
}
