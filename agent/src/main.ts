#!/usr/bin/env node
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createAgent } from "./agent.js";
import { type AgentConfig, ConfigError, loadConfig } from "./config.js";
import { type AgentFaults, parseFaultEnv } from "./faults.js";
import { createHandlers } from "./handlers/index.js";
import { createLogger } from "./logger.js";

/** NEOPRO_TEST_FAULT (end-to-end tests only) fires once per DATA_DIR, so the restarted agent behaves normally. */
function readTestFault(config: AgentConfig): AgentFaults | undefined {
  const delivery = parseFaultEnv(process.env.NEOPRO_TEST_FAULT);
  const marker = join(config.dataDir, "test-fault-fired");
  if (delivery === undefined || existsSync(marker)) return undefined;
  return { delivery, onFired: () => writeFileSync(marker, `${process.env.NEOPRO_TEST_FAULT}\n`) };
}

function loadOrExit(): { config: AgentConfig; faults: AgentFaults | undefined } {
  try {
    const config = loadConfig(process.env);
    return { config, faults: readTestFault(config) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}

const { config, faults } = loadOrExit();
const logger = createLogger({ level: config.logLevel });
const agent = createAgent(config, { logger, handlers: createHandlers(), faults });

let stopping = false;
async function shutdown(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping the sync-agent");
  try {
    await agent.stop();
    process.exit(0);
  } catch (error) {
    logger.fatal({ err: error }, "the sync-agent did not stop cleanly");
    process.exit(1);
  }
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

try {
  await agent.start();
} catch (error) {
  logger.fatal({ err: error }, "the sync-agent could not start");
  process.exit(1);
}
