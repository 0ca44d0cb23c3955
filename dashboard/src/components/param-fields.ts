import { COMMANDS, type CommandType, describeIssues } from "@neopro/protocol";
import { z } from "zod";

/** One input of a command's parameter form, read from the catalogue's zod schema. */
export interface ParamField {
  name: string;
  /** The schema's French `title`, or the parameter's name. */
  label: string;
  required: boolean;
  kind: "text" | "integer" | "number" | "date-time" | "url" | "json" | "boolean";
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

export type ParamValues = Record<string, string | boolean>;

interface JsonSchemaProperty {
  type?: string;
  title?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

/**
 * The form of a command type, derived from the same zod schema central
 * validates with (as JSON Schema, input side), so the two cannot drift.
 */
export function paramFields(type: CommandType): ParamField[] {
  const schema = z.toJSONSchema(COMMANDS[type].params, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, JsonSchemaProperty>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    label: property.title ?? name,
    required: required.has(name),
    kind: fieldKind(property),
    ...(property.minimum === undefined ? {} : { minimum: property.minimum }),
    ...(property.maximum === undefined || property.maximum >= Number.MAX_SAFE_INTEGER
      ? {}
      : { maximum: property.maximum }),
    ...(property.maxLength === undefined ? {} : { maxLength: property.maxLength }),
  }));
}

function fieldKind(property: JsonSchemaProperty): ParamField["kind"] {
  switch (property.type) {
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "string":
      if (property.format === "date-time") return "date-time";
      if (property.format === "uri") return "url";
      return "text";
    default:
      return "json";
  }
}

export type ParamsCheck =
  | { ok: true; params: Record<string, unknown> }
  | { ok: false; errors: Record<string, string> };

/** Turns the form's values into `params` and checks them with the catalogue's schema. */
export function readParams(type: CommandType, fields: ParamField[], values: ParamValues): ParamsCheck {
  const params: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const raw = values[field.name];
    if (raw === undefined || raw === "") continue;
    const converted = convert(field, raw);
    if ("error" in converted) errors[field.name] = converted.error;
    else params[field.name] = converted.value;
  }
  const checked = COMMANDS[type].params.safeParse(params);
  if (!checked.success) {
    for (const issue of describeIssues(checked.error)) {
      const name = issue.path.split(".")[0] || "params";
      errors[name] ??= issue.message;
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, params };
}

function convert(field: ParamField, raw: string | boolean): { value: unknown } | { error: string } {
  if (typeof raw === "boolean") return { value: raw };
  switch (field.kind) {
    case "integer":
    case "number":
      return raw.trim() === "" || Number.isNaN(Number(raw))
        ? { error: "Saisissez un nombre." }
        : { value: Number(raw) };
    case "date-time": {
      const date = new Date(raw);
      return Number.isNaN(date.getTime()) ? { error: "Date invalide." } : { value: date.toISOString() };
    }
    case "json":
      try {
        return { value: JSON.parse(raw) as unknown };
      } catch (error) {
        return { error: `JSON invalide : ${error instanceof Error ? error.message : String(error)}` };
      }
    default:
      return { value: raw.trim() };
  }
}
