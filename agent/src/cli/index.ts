import { parseArgs } from "node:util";
import { readAgentVersion } from "../agent.js";
import { runDaemon } from "../daemon.js";
import { runDoctor } from "./doctor/index.js";
import { type ToolPaths, toolEnvironment } from "./environment.js";
import { DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT, runHistory } from "./history.js";
import { stdoutOutput, type ToolOutput } from "./output.js";
import { runStatus } from "./status.js";

/** sysexits.h EX_USAGE: the command line itself is wrong. */
export const EXIT_USAGE = 64;

export const USAGE = `usage: neopro-sync-agent [run]                 the daemon (what the systemd unit starts)
       neopro-sync-agent status [--json]       connection, commands, outbox, database (read-only)
       neopro-sync-agent history [--failed] [--limit n] [--json]
       neopro-sync-agent doctor [--json]       configuration, token, central, clock, disk, database
       neopro-sync-agent --version | --help
options of status, history and doctor:
  --config-file <path> the unit's environment file (default /etc/neopro/sync-agent.env, or $NEOPRO_AGENT_ENV_FILE)
  --data-dir <path>   the agent's folder holding agent.db (default: DATA_DIR, else /var/lib/neopro-sync-agent on a box)
  --token-file <path> where doctor looks for the site token (default /etc/neopro/site-token on a box)
run them with sudo on a box: they read the daemon's files, and open its database read-only as its user.`;

const OPTIONS = {
  json: { type: "boolean" },
  failed: { type: "boolean" },
  limit: { type: "string" },
  "config-file": { type: "string" },
  "data-dir": { type: "string" },
  "token-file": { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

class UsageError extends Error {}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_HISTORY_LIMIT;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_HISTORY_LIMIT} (got "${text}")`);
  }
  return limit;
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

/** Runs one tool and returns its exit status (0 fine, 1 the tool found a problem, 64 bad usage). */
export async function runTool(argv: string[], env: NodeJS.ProcessEnv, output: ToolOutput): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help || values.version) {
    output.write(values.help ? USAGE : readAgentVersion());
    return 0;
  }
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const paths: ToolPaths = {
    envFile: values["config-file"],
    dataDir: values["data-dir"],
    tokenFile: values["token-file"],
  };
  const json = values.json === true;
  const tool = toolEnvironment(paths, env);
  switch (command) {
    case "status":
      return runStatus(tool.env, output, json);
    case "history":
      return runHistory(tool.env, output, {
        onlyFailures: values.failed === true,
        limit: parseLimit(values.limit),
        json,
      });
    case "doctor":
      return runDoctor(tool, output, json);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** The `neopro-sync-agent` binary: no argument or `run` starts the daemon; anything else is a field tool. */
export async function runCommandLine(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (argv.length === 0 || (argv.length === 1 && argv[0] === "run")) return runDaemon(env);
  try {
    process.exitCode = await runTool(argv, env, stdoutOutput);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`neopro-sync-agent: ${error.message}\n${USAGE}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    const cause = (error as Error).cause;
    const detail = cause instanceof Error ? ` (${cause.message})` : "";
    process.stderr.write(`neopro-sync-agent: ${(error as Error).message}${detail}\n`);
    process.exitCode = 1;
  }
}
