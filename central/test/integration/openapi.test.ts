import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../../../test/support/fixtures.js";
import { createTestDatabase, type TestDatabase } from "../../../test/support/postgres.js";
import { type RunningProcess, startAgent } from "../../../test/support/processes.js";
import { OPERATIONS } from "../../src/http/openapi/index.js";
import { eventually, startTestCentral, type TestCentral } from "../support/test-central.js";

/**
 * The OpenAPI document served by central, checked against real answers of a
 * real central (test PostgreSQL) and a real agent process: each answer must
 * match the schema the document gives for that operation and status.
 */
// biome-ignore lint/suspicious/noExplicitAny: the document is arbitrary JSON, read by path.
type Json = any;

const DOCUMENT_ID = "https://neopro.invalid/api/openapi.json";

let database: TestDatabase;
let server: TestCentral;
let document: Json;
let ajv: Ajv2020;
let agentDir: string;
let agent: RunningProcess | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestCentral({ databaseUrl: database.url });
  agentDir = await makeTempDir("cq-openapi-agent-");
  const served = await server.api("GET", "/api/openapi.json", { token: null });
  expect(served.status).toBe(200);
  document = served.body;
  // Not strict: the wrapper carries `components`, which is OpenAPI, not a JSON Schema keyword.
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
});

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
  await database?.drop();
  if (agentDir) await removeDir(agentDir);
});

/** The validator of the schema the document gives for this answer (fails if the status is not documented). */
function responseValidator(method: string, path: string, status: number): ValidateFunction {
  const operation = document.paths[path]?.[method.toLowerCase()];
  expect(operation, `${method} ${path} is documented`).toBeDefined();
  const schema = operation.responses[String(status)]?.content?.["application/json"]?.schema;
  expect(schema, `${method} ${path} documents a ${status} answer`).toBeDefined();
  return ajv.compile({ $ref: `${DOCUMENT_ID}${schema.$ref}` });
}

/** Calls central and checks the answer against the document; `path` is the documented path. */
async function call(method: string, path: string, values: Record<string, string>, options = {}) {
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
  const query = values.query ? `?${values.query}` : "";
  const answer = await server.api(method, `${url}${query}`, options);
  const validate = responseValidator(method, path, answer.status);
  const valid = validate(answer.body);
  expect(validate.errors ?? [], JSON.stringify(answer.body)).toEqual([]);
  expect(valid).toBe(true);
  return answer;
}

function requestBodyValidator(method: string, path: string): ValidateFunction {
  const schema = document.paths[path][method].requestBody.content["application/json"].schema;
  return ajv.compile({ $id: `${DOCUMENT_ID}/request`, ...rebase(schema) });
}

/** Points the document's local `$ref`s at the document loaded in ajv. */
function rebase(schema: Json): Json {
  return JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', `"$ref":"${DOCUMENT_ID}#/`));
}

describe("the OpenAPI document", () => {
  it("is served without a token and documents exactly the API routes central registers", () => {
    expect(document.openapi).toBe("3.1.0");
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Json).map(([method, operation]) => ({
        path,
        method,
        operation: operation as Json,
      })),
    );
    expect(documented.filter(({ operation }) => operation["x-undocumented"])).toEqual([]);
    const keys = documented.map(
      ({ path, method }) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`,
    );
    expect(keys.sort()).toEqual(Object.keys(OPERATIONS).sort());
  });

  it("has strict answer schemas: a missing or extra field fails", async () => {
    const validate = responseValidator("GET", "/api/sites/{id}", 200);
    const site = await server.createSite("Strict");
    const { body } = await server.api("GET", `/api/sites/${site.id}`);
    expect(validate(body)).toBe(true);
    expect(validate({ ...body, token_hash: "x" })).toBe(false);
    const { online: _online, ...withoutOnline } = body;
    expect(validate(withoutOnline)).toBe(false);
    expect(validate({ ...body, created_at: "yesterday" })).toBe(false);
  });

  it("describes send-command bodies with the catalogue's params", () => {
    const validate = requestBodyValidator("post", "/api/sites/{id}/command");
    expect(validate({ command: "update_config", params: { configuration: { volume: 80 } } })).toBe(true);
    expect(validate({ command: "get_logs", params: { lines: 20 }, priority: 1 })).toBe(true);
    expect(validate({ command: "deploy_video", params: { videoId: "v1" } })).toBe(false);
    expect(validate({ command: "get_config", params: { unknown: 1 } })).toBe(false);
    expect(validate({ command: "update_config", params: { configuration: {} }, priority: 11 })).toBe(false);
  });
});

describe("real answers match the document", () => {
  let siteId: string;
  let commandId: string;

  it("health probes", async () => {
    await call("GET", "/health/live", {}, { token: null });
    await call("GET", "/health/ready", {}, { token: null });
  });

  it("creates, lists and shows sites", async () => {
    const created = await call("POST", "/api/sites", {}, { body: { siteName: "Stade", clubName: "Club A" } });
    expect(created.status).toBe(201);
    siteId = created.body.id;
    await call("GET", "/api/sites", { query: "limit=10&search=Stade" });
    await call("GET", "/api/sites/{id}", { id: siteId });
  });

  it("queues commands for an offline site, lists, summarises, cancels and retries", async () => {
    const queued = await call(
      "POST",
      "/api/sites/{id}/command",
      { id: siteId },
      {
        body: {
          command: "deploy_video",
          params: { videoId: "v1", url: "https://cdn.test/v.mp4", filename: "v.mp4" },
        },
      },
    );
    expect(queued.body).toMatchObject({ success: true, queued: true });
    commandId = queued.body.commandId;
    await call(
      "POST",
      "/api/sites/{id}/command",
      { id: siteId },
      { body: { command: "update_config", params: { configuration: { a: 1 } }, priority: 2 } },
    );

    const pending = await call("GET", "/api/sites/{id}/pending-commands", { id: siteId });
    expect(pending.body.pendingCount).toBe(2);
    const summary = await call("GET", "/api/sites/queue/summary", {});
    expect(summary.body.totalPending).toBe(2);

    await call("DELETE", "/api/sites/{id}/pending-commands/{commandId}", { id: siteId, commandId });
    await call("POST", "/api/sites/{id}/pending-commands/{commandId}/retry", { id: siteId, commandId });
    const all = await call("DELETE", "/api/sites/{id}/pending-commands", { id: siteId });
    expect(all.body.count).toBe(1);

    const history = await call("GET", "/api/sites/{id}/commands", { id: siteId });
    expect(history.body.commands.map((command: Json) => command.status)).toEqual(["cancelled", "cancelled"]);
    await call("GET", "/api/sites/{id}/commands/{commandId}", { id: siteId, commandId });
  });

  it("answers 202 when ?wait runs out before the command finishes", async () => {
    const answer = await call(
      "POST",
      "/api/sites/{id}/command",
      { id: siteId, query: "wait=0.2" },
      { body: { command: "delete_video", params: { filename: "old.mp4" } } },
    );
    expect(answer.status).toBe(202);
    await server.api("DELETE", `/api/sites/${siteId}/pending-commands`);
  });

  it("describes errors", async () => {
    const offline = await call(
      "POST",
      "/api/sites/{id}/command",
      { id: siteId },
      { body: { command: "get_logs" } },
    );
    expect(offline.status).toBe(409);
    const unknown = await call("GET", "/api/sites/{id}", { id: "7d3f3c1e-5a4b-4c2d-9e8f-0a1b2c3d4e5f" });
    expect(unknown.body.error).toBe("SITE_NOT_FOUND");
    const badParams = await call(
      "POST",
      "/api/sites/{id}/command",
      { id: siteId },
      { body: { command: "deploy_video", params: { videoId: "v" } } },
    );
    expect(badParams.body.error).toBe("INVALID_PARAMS");
    const unauthorised = await call("GET", "/api/sites", {}, { token: "nobody" });
    expect(unauthorised.status).toBe(401);
    const badId = await call("GET", "/api/sites/{id}/pending-commands", { id: "not-a-uuid" });
    expect(badId.body.error).toBe("INVALID_ID");
    const notPending = await call("DELETE", "/api/sites/{id}/pending-commands/{commandId}", {
      id: siteId,
      commandId,
    });
    expect(notPending.body.error).toBe("COMMAND_NOT_PENDING");
  });

  it("with a real agent connected: a waited result, and the history with results", async () => {
    const site = await server.createSite("Agent");
    agent = startAgent({
      CENTRAL_URL: server.url,
      SITE_ID: site.id,
      SITE_TOKEN: site.token,
      DATA_DIR: agentDir,
    });
    const connected = agent.waitForMessage("connected to central", 15_000);
    await connected.catch((error: Error) => {
      throw new Error(`the agent did not connect: ${error.message}`, { cause: error });
    });
    await eventually(
      async () => (await server.api("GET", `/api/sites/${site.id}`)).body.online === true,
      15_000,
    );

    const online = await call("GET", "/api/sites/{id}", { id: site.id });
    expect(online.body.online).toBe(true);
    const waited = await call(
      "POST",
      "/api/sites/{id}/command",
      { id: site.id, query: "wait=15" },
      { body: { command: "get_config" } },
    );
    expect(waited.body).toMatchObject({ success: true, status: "succeeded" });
    const sent = await call(
      "POST",
      "/api/sites/{id}/command",
      { id: site.id },
      { body: { command: "update_config", params: { configuration: { volume: 3 } } } },
    );
    expect(sent.body).toMatchObject({ success: true, queued: false });
    await eventually(async () => {
      const { body } = await server.api("GET", `/api/sites/${site.id}/commands/${sent.body.commandId}`);
      return body.status === "succeeded";
    }, 15_000);
    const history = await call("GET", "/api/sites/{id}/commands", { id: site.id });
    expect(history.body.commands.every((command: Json) => command.status === "succeeded")).toBe(true);
    const emptyQueue = await call("GET", "/api/sites/{id}/pending-commands", { id: site.id });
    expect(emptyQueue.body.pendingCount).toBe(0);
  });
});
