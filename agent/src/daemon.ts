import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createAgent } from "./agent.js";
import { type AgentConfig, ConfigError, loadConfig, runsUnderSystemd } from "./config.js";
import { type AgentFaults, parseFaultEnv } from "./faults.js";
import { createHandlers } from "./handlers/index.js";
import { createLogger } from "./logger.js";
import { createSystemdSupervision } from "./systemd/index.js";

/** Exit status for a configuration error; the unit does not restart on it (RestartPreventExitStatus=2). */
export const EXIT_CONFIG_ERROR = 2;

/** NEOPRO_TEST_FAULT (end-to-end tests only) fires once per DATA_DIR, so the restarted agent behaves normally. */
function readTestFault(config: AgentConfig, env: NodeJS.ProcessEnv): AgentFaults | undefined {
  const delivery = parseFaultEnv(env.NEOPRO_TEST_FAULT);
  const marker = join(config.dataDir, "test-fault-fired");
  if (delivery === undefined || existsSync(marker)) return undefined;
  return { delivery, onFired: () => writeFileSync(marker, `${env.NEOPRO_TEST_FAULT}\n`) };
}

function loadOrExit(env: NodeJS.ProcessEnv): AgentConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // In the journal each line is an entry: one line, `<3>` so that `journalctl -p err` shows it.
    const message = runsUnderSystemd(env) ? `<3>${error.message.replaceAll("\n", " ")}` : error.message;
    process.stderr.write(`${message}\n`);
    process.exit(EXIT_CONFIG_ERROR);
  }
}

/** `neopro-sync-agent` / `neopro-sync-agent run`: the daemon, until SIGTERM or SIGINT. */
export async function runDaemon(env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadOrExit(env);
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const systemd = createSystemdSupervision({ env, logger });
  const agent = createAgent(config, {
    logger,
    handlers: createHandlers(),
    faults: readTestFault(config, env),
  });

  let stopping = false;
  async function shutdown(signal: NodeJS.Signals) {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping the sync-agent");
    systemd.stopping(`stopping: letting the running command finish (up to ${config.shutdownGraceMs} ms)`);
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
    agent.open();
    systemd.ready(agent);
    await agent.start();
  } catch (error) {
    logger.fatal({ err: error }, "the sync-agent could not start");
    process.exit(1);
  }
}
