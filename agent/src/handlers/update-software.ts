import { execa } from "execa";
import { OutputTail } from "./output-tail.js";
import { CommandFailure, type CommandHandler } from "./types.js";

/** Enough to read why an update failed, small enough to send back over the socket. */
const OUTPUT_TAIL_BYTES = 64 * 1024;
const STDERR_IN_MESSAGE_CHARS = 2000;

/**
 * Runs the configured update program with the version (then the url) as
 * arguments — never through a shell — and reports its exit code and output.
 */
export const updateSoftware: CommandHandler<"update_software"> = async (params, context) => {
  const { updateCommand, updateTimeoutMs } = context.settings;
  const args = params.url === undefined ? [params.version] : [params.version, params.url];
  const env = params.sha256 === undefined ? {} : { NEOPRO_UPDATE_SHA256: params.sha256 };
  const stdout = new OutputTail(OUTPUT_TAIL_BYTES);
  const stderr = new OutputTail(OUTPUT_TAIL_BYTES);

  context.logger.info({ updateCommand, version: params.version }, "Running the update program");
  const subprocess = execa(updateCommand, args, {
    shell: false,
    env,
    stdin: "ignore",
    buffer: false,
    reject: false,
    timeout: updateTimeoutMs,
    cancelSignal: context.signal,
  });
  subprocess.stdout?.on("data", (chunk: Buffer) => stdout.append(chunk));
  subprocess.stderr?.on("data", (chunk: Buffer) => stderr.append(chunk));
  const outcome = await subprocess;

  if (outcome.code === "ENOENT") {
    throw new CommandFailure(
      "UPDATE_COMMAND_NOT_FOUND",
      `Update program "${updateCommand}" not found: set UPDATE_COMMAND to the path of an executable`,
    );
  }
  if (outcome.code === "EACCES") {
    throw new CommandFailure(
      "UPDATE_FAILED",
      `Update program "${updateCommand}" is not executable: make it executable (chmod +x) or fix UPDATE_COMMAND`,
    );
  }
  context.signal.throwIfAborted();
  if (outcome.timedOut) {
    throw new CommandFailure(
      "UPDATE_TIMEOUT",
      `Update program "${updateCommand}" ran longer than ${updateTimeoutMs} ms and was stopped${stderrTail(stderr)}`,
    );
  }
  const exitCode = outcome.exitCode;
  if (exitCode !== 0) {
    const how =
      exitCode !== undefined
        ? `exited with code ${exitCode}`
        : outcome.signal !== undefined
          ? `was killed by ${outcome.signal}`
          : `could not start (${outcome.code ?? outcome.shortMessage})`;
    throw new CommandFailure(
      "UPDATE_FAILED",
      `Update to ${params.version} failed: "${updateCommand}" ${how}${stderrTail(stderr)}`,
    );
  }
  context.logger.info(
    { version: params.version, durationMs: outcome.durationMs },
    "Update program succeeded",
  );
  return {
    version: params.version,
    exitCode,
    stdout: stdout.toString(),
    stderr: stderr.toString(),
    durationMs: Math.round(outcome.durationMs),
  };
};

function stderrTail(stderr: OutputTail): string {
  const text = stderr.toString().trim();
  if (text === "") return "";
  return `; stderr: ${text.length > STDERR_IN_MESSAGE_CHARS ? `…${text.slice(-STDERR_IN_MESSAGE_CHARS)}` : text}`;
}
