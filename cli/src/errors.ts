/** What `cq` exits with; scripts can rely on these. */
export const EXIT_CODES = Object.freeze({
  ok: 0,
  /** Anything unexpected: a server error (5xx), an answer that is not the API's. */
  failure: 1,
  /** Wrong command line, configuration or params: nothing was sent. */
  usage: 2,
  /** Central answered 4xx: it refused the request (its message says why). */
  refused: 3,
  /** Central could not be reached (connection refused, unknown host, no answer in time). */
  unreachable: 4,
  /** `send --wait`: the command finished on the site without succeeding. */
  commandFailed: 5,
  /** `send --wait`: the time ran out before the command finished. */
  stillRunning: 6,
});

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** A failure to report to the person (or script) and exit with. */
export class CliError extends Error {
  /** Extra data for `--json` output (e.g. the invalid params' issues). */
  readonly details: unknown;

  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** Machine-readable code: the API's `error` when central refused, else one of the CLI's own. */
    readonly code: string,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CliError";
    this.details = options?.details;
  }
}

export function usageError(message: string, details?: unknown): CliError {
  return new CliError(message, EXIT_CODES.usage, "USAGE", { details });
}
