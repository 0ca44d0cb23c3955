#!/usr/bin/env node
import { createCentral } from "./central.js";
import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./logger.js";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const logger = createLogger({ level: config.logLevel });
const central = createCentral(config, { logger });

try {
  const { url } = await central.start();
  logger.info({ url, embeddedDatabase: !config.databaseUrl }, "Central listening");
} catch (error) {
  logger.fatal({ err: error }, "Central could not start");
  process.exit(1);
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    logger.info({ signal }, "Shutdown requested");
    central.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "Shutdown did not complete cleanly");
        process.exit(1);
      },
    );
  });
}
