import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { createClient } from "./client/index.js";
import type { CommandContext, CommandOutcome } from "./commands/context.js";
import { showCommand, showHistory } from "./commands/history.js";
import { cancelPending, listPending, showSummary } from "./commands/queue.js";
import { describeCommandTypes, type SendOptions, sendCommand } from "./commands/send.js";
import { createSite, type ListSitesOptions, listSites, showSite } from "./commands/sites.js";
import { CliError, EXIT_CODES, type ExitCode } from "./errors.js";
import { createOutput } from "./output/index.js";
import { resolveSettings } from "./settings/index.js";

export interface CliEnvironment {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

interface GlobalOptions {
  url?: string;
  token?: string;
  config?: string;
  json?: boolean;
  timeout: number;
}

/** 30 s: central answers in milliseconds; longer means it is stuck or the network is. */
const DEFAULT_TIMEOUT_SECONDS = 30;

/** Runs `cq` with these arguments and returns its exit code (see errors.ts). */
export async function runCli(args: readonly string[], environment: CliEnvironment): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT_CODES.ok;
  const program = buildProgram(environment, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...args], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help) to stderr.
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    const failure = error instanceof CliError ? error : unexpected(error);
    report(environment, Boolean(program.opts<GlobalOptions>().json), failure);
    return failure.exitCode;
  }
}

/** A bug, not a situation: the stack goes to the person so it can be reported. */
function unexpected(error: unknown): CliError {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return new CliError(`Unexpected error: ${text}`, EXIT_CODES.failure, "UNEXPECTED", { cause: error });
}

function report(environment: CliEnvironment, json: boolean, failure: CliError): void {
  if (json) {
    const { code: error, message, exitCode, details } = failure;
    environment.stderr.write(`${JSON.stringify({ success: false, error, message, exitCode, details })}\n`);
    return;
  }
  const prefix = failure.exitCode === EXIT_CODES.refused ? `refused by central (${failure.code}): ` : "";
  environment.stderr.write(`cq: ${prefix}${failure.message}\n`);
}

function buildProgram(environment: CliEnvironment, setExitCode: (code: ExitCode) => void): Command {
  /** Wraps a command: settings and client from the global options, its outcome as the exit code. */
  const run =
    <A extends unknown[]>(handler: (context: CommandContext, ...args: A) => CommandOutcome) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const globals = command.optsWithGlobals<GlobalOptions>();
      const settings = resolveSettings({ flags: globals, env: environment.env });
      const context: CommandContext = {
        client: createClient({ ...settings, timeoutMs: globals.timeout * 1000 }),
        output: createOutput(environment, Boolean(globals.json)),
      };
      setExitCode((await handler(context, ...(args.slice(0, -1) as A))) ?? EXIT_CODES.ok);
    };

  const program = new Command("cq")
    .description("Operators' client of NEOPRO Command Queue: sites, commands and their queue on central.")
    .option("--url <url>", "central's address (else CQ_URL, the config file, http://localhost:3000)")
    .option("--token <token>", "operator token (else CQ_TOKEN or the config file)")
    .option("--config <file>", "config file { url, token } (else CQ_CONFIG, $XDG_CONFIG_HOME/neopro/cq.json)")
    .option("--json", "print central's answers as JSON, for scripts")
    .addOption(
      new Option("--timeout <seconds>", "give up on central after this long")
        .default(DEFAULT_TIMEOUT_SECONDS)
        .argParser(positiveNumber),
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 ok, 2 usage (nothing sent), 3 refused by central, 4 central unreachable,\n" +
        "5 the waited command did not succeed, 6 still running when --wait ran out, 1 anything else.",
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => environment.stdout.write(text),
      writeErr: (text) => environment.stderr.write(text),
    })
    .showSuggestionAfterError();

  const sites = program.command("sites").description("list sites, or create one");
  sites
    .command("list", { isDefault: true })
    .description("list sites with their state and queue (default)")
    .option("--search <text>", "part of the site's or club's name")
    .addOption(new Option("--status <state>", "only these").choices(["online", "offline"]))
    .option("--limit <n>", "sites per page (1-500)", wholeNumber, 50)
    .option("--offset <n>", "skip this many", wholeNumber, 0)
    .action(run((context, options: ListSitesOptions) => listSites(context, options)));
  sites
    .command("create")
    .description("create a site; prints its agent token (shown once)")
    .requiredOption("--name <siteName>", 'site name, e.g. "Complexe Sportif X"')
    .requiredOption("--club <clubName>", "club name")
    .action(run((context, options: { name: string; club: string }) => createSite(context, options)));

  program
    .command("site <site>")
    .description("one site (by id, or by its exact site or club name)")
    .action(run((context, site: string) => showSite(context, site)));

  program
    .command("send <site> <type>")
    .description("send a command, or queue it while the site is offline")
    .option(
      "--param <key=value>",
      "a param; repeat it (key.sub=value sets a field of an object param)",
      collect,
    )
    .option("--params-file <file>", "params as a JSON object (--param entries override it)")
    .option("--priority <n>", "1 Urgent … 5 Normal … 10 Très basse (default: the command's)")
    .option("--expires-in <duration>", "drop it if not delivered within, e.g. 2h, 30m, 1h30m, 7d")
    .option("--max-attempts <n>", "deliveries to try before it stays MAX TENTATIVES (default 3)")
    .option("--description <text>", "label shown in the queue (default: the command's)")
    .option("--no-queue", "refuse instead of queueing when the site is offline")
    .option("--wait <seconds>", "wait for the result and print it")
    .addHelpText("after", `\n${describeCommandTypes()}`)
    .action(
      run((context, site: string, type: string, options: SendOptions) =>
        sendCommand(context, site, type, options),
      ),
    );

  program
    .command("pending <site>")
    .description("the site's pending commands, in delivery order")
    .action(run((context, site: string) => listPending(context, site)));

  program
    .command("cancel <site> [commandId]")
    .description("cancel one pending command, or all of them with --all")
    .option("--all", "cancel every pending command of the site")
    .action(
      run((context, site: string, commandId: string | undefined, options: { all?: boolean }) =>
        cancelPending(context, site, commandId, options),
      ),
    );

  program
    .command("summary")
    .description("the global queue: every site with pending commands, and the totals")
    .action(run((context) => showSummary(context)));

  program
    .command("history <site>")
    .description("every command sent to the site, newest first, with its result")
    .option("--limit <n>", "commands per page (1-500)", wholeNumber, 50)
    .option("--offset <n>", "skip this many", wholeNumber, 0)
    .action(
      run((context, site: string, page: { limit: number; offset: number }) =>
        showHistory(context, site, page),
      ),
    );

  program
    .command("command <site> <commandId>")
    .description("one command in full: status, attempts, result")
    .action(run((context, site: string, commandId: string) => showCommand(context, site, commandId)));

  return program;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function wholeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new InvalidArgumentError("give a whole number (0 or more).");
  return value;
}

function positiveNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError("give a number of seconds above 0.");
  return value;
}
