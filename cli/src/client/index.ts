import { CliError, EXIT_CODES } from "../errors.js";

export interface ClientOptions {
  url: string;
  token: string;
  /** Per request; `send --wait` adds its wait to it. */
  timeoutMs: number;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Longer than the default, e.g. while central waits for a result. */
  timeoutMs?: number;
}

/** A 2xx answer of central. */
export interface Answer<T> {
  status: number;
  body: T;
}

/** What central answers on failure (`{ success: false, error, message, details? }`). */
interface ApiFailureBody {
  error?: unknown;
  message?: unknown;
  details?: unknown;
}

/**
 * Central's REST API. A request is sent once, never retried: a POST that
 * reached central before the connection broke may have queued a command,
 * and sending it again would queue it twice.
 */
export function createClient(options: ClientOptions) {
  async function request<T>(method: string, path: string, request: RequestOptions = {}): Promise<Answer<T>> {
    const url = new URL(`${options.url}${path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const timeoutMs = request.timeoutMs ?? options.timeoutMs;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: "application/json",
          ...(request.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw unreachable(options.url, timeoutMs, error);
    }
    const text = await response.text();
    const body = parseJson(text);
    if (response.ok && body !== undefined) return { status: response.status, body: body as T };
    if (response.status >= 400 && response.status < 500 && isApiFailure(body)) {
      throw new CliError(String(body.message), EXIT_CODES.refused, String(body.error), {
        details: {
          status: response.status,
          ...(body.details === undefined ? {} : { details: body.details }),
        },
      });
    }
    throw new CliError(
      `Central answered ${response.status} ${response.statusText} to ${method} ${url.pathname}: ${
        isApiFailure(body) ? String(body.message) : text.slice(0, 200) || "(empty)"
      }. Check that ${options.url} is central's address`,
      EXIT_CODES.failure,
      isApiFailure(body) ? String(body.error) : "UNEXPECTED_ANSWER",
      { details: { status: response.status } },
    );
  }

  return {
    get: <T>(path: string, query?: RequestOptions["query"]) => request<T>("GET", path, { query }),
    post: <T>(path: string, body: unknown, extra: Omit<RequestOptions, "body"> = {}) =>
      request<T>("POST", path, { ...extra, body }),
    delete: <T>(path: string) => request<T>("DELETE", path),
  };
}

export type CentralClient = ReturnType<typeof createClient>;

function parseJson(text: string): unknown {
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isApiFailure(body: unknown): body is ApiFailureBody {
  return typeof body === "object" && body !== null && "error" in body && "message" in body;
}

function unreachable(url: string, timeoutMs: number, error: unknown): CliError {
  const name = (error as Error).name;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason =
    name === "TimeoutError" || name === "AbortError"
      ? `no answer within ${Math.round(timeoutMs / 1000)} s`
      : (cause?.code ?? cause?.message ?? (error as Error).message);
  return new CliError(
    `Cannot reach central at ${url} (${reason}). Check --url, CQ_URL or the config file, and that central is running`,
    EXIT_CODES.unreachable,
    "UNREACHABLE",
    { cause: error },
  );
}
