import { type ApiErrorCode, COMMAND_TYPES, PROTOCOL_VERSION, uuid } from "@neopro/protocol";
import { z } from "zod";
import { componentRef, componentSchemas, type JsonSchema, paramsComponentName } from "./components.js";
import { OPERATIONS, type OperationDoc } from "./operations.js";

/** A route as fastify registered it. */
export interface RegisteredRoute {
  method: string;
  url: string;
}

/** Only these routes are API; others (the dashboard's files) stay out of the document. */
const DOCUMENTED_PREFIXES = ["/api/", "/health/"];

const PATH_PARAMETERS: Record<string, string> = {
  id: "The site's id",
  commandId: "The command's id",
};

const ERROR_STATUS_TEXT: Record<number, string> = {
  400: "Bad request",
  401: "No operator token, or a token of no operator",
  404: "Not found",
  409: "Conflict",
  413: "Body over 1 MiB",
  415: "Body not JSON",
};

/**
 * The OpenAPI 3.1 document of the routes central has registered: request
 * bodies and queries from the zod schemas the routes validate with (the
 * protocol's), answers from the protocol's answer schemas (named in
 * ./components.ts), descriptions from ./operations.ts.
 */
export function buildOpenApiDocument(routes: readonly RegisteredRoute[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const documented = routes
    .filter((route) => DOCUMENTED_PREFIXES.some((prefix) => route.url.startsWith(prefix)))
    .filter((route) => route.method !== "HEAD" && route.method !== "OPTIONS")
    .sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  for (const route of documented) {
    const path = route.url.replace(/:(\w+)/g, "{$1}");
    const doc = OPERATIONS[`${route.method} ${route.url}`];
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = doc ? describeOperation(route.url, doc) : undocumented();
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "NEOPRO Command Queue — central",
      version: `protocol ${PROTOCOL_VERSION}`,
      description:
        "Operators' REST API of central. Failures are `{ success: false, error, message, details? }` " +
        "with a machine-readable `error` code.",
    },
    tags: ["Sites", "Commands", "Queue", "Health", "Documentation"].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { operatorToken: { type: "http", scheme: "bearer" } },
      schemas: componentSchemas(),
    },
  };
}

function describeOperation(url: string, doc: OperationDoc): JsonSchema {
  const pathNames = [...url.matchAll(/:(\w+)/g)].map((match) => match[1] as string);
  const parameters = [
    ...pathNames.map((name) => ({
      name,
      in: "path",
      required: true,
      description: PATH_PARAMETERS[name],
      schema: z.toJSONSchema(uuid),
    })),
    ...(doc.query ? queryParameters(doc.query) : []),
  ].map(withoutDialect);
  const responses: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(doc.responses)) {
    responses[status] = {
      description: response.description,
      content: { "application/json": { schema: componentRef(response.schema) } },
    };
  }
  for (const [status, codes] of Object.entries(commonErrors(doc, pathNames.length > 0))) {
    responses[status] = {
      description: `${ERROR_STATUS_TEXT[Number(status)] ?? "Error"}: ${codes.join(", ")}`,
      content: { "application/json": { schema: componentRef("ApiError") } },
    };
  }
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    security: doc.access === "operator" ? [{ operatorToken: [] }] : [],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.body ? { requestBody: requestBody(doc.body) } : {}),
    responses,
  };
}

function requestBody(name: NonNullable<OperationDoc["body"]>): JsonSchema {
  // The route checks the body with sendCommandBody, then `params` with the catalogue entry of `command`.
  const schema =
    name === "SendCommandBody"
      ? {
          allOf: [
            componentRef(name),
            {
              oneOf: COMMAND_TYPES.map((type) => ({
                properties: { command: { const: type }, params: componentRef(paramsComponentName(type)) },
              })),
            },
          ],
        }
      : componentRef(name);
  return { required: true, content: { "application/json": { schema } } };
}

function queryParameters(query: z.ZodObject): JsonSchema[] {
  const schema = z.toJSONSchema(query, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: "query",
      required: schema.required?.includes(name) ?? false,
      ...(description ? { description } : {}),
      schema: propertySchema,
    };
  });
}

/** The error codes of an operation: its own, plus those of authentication, ids, query and body checks. */
function commonErrors(doc: OperationDoc, hasPathIds: boolean): Record<number, ApiErrorCode[]> {
  const errors: Record<number, ApiErrorCode[]> = {};
  const add = (status: number, ...codes: readonly ApiErrorCode[]) => {
    if (codes.length > 0) errors[status] = [...(errors[status] ?? []), ...codes];
  };
  if (hasPathIds) add(400, "INVALID_ID");
  if (doc.query) add(400, "INVALID_QUERY");
  if (doc.body) add(400, "INVALID_JSON", "INVALID_BODY");
  for (const [status, codes] of Object.entries(doc.errors ?? {})) add(Number(status), ...codes);
  if (doc.access === "operator") add(401, "UNAUTHORIZED");
  if (doc.body) {
    add(413, "PAYLOAD_TOO_LARGE");
    add(415, "UNSUPPORTED_MEDIA_TYPE");
  }
  return errors;
}

function undocumented(): JsonSchema {
  return {
    summary: "Not described yet: add it to central/src/http/openapi/operations.ts",
    "x-undocumented": true,
    responses: { default: { description: "Any answer" } },
  };
}

function withoutDialect<T extends JsonSchema>(parameter: T): T {
  const schema = parameter.schema as JsonSchema | undefined;
  if (!schema) return parameter;
  const { $schema: _dialect, ...rest } = schema;
  return { ...parameter, schema: rest };
}
