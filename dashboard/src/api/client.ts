import type { ApiErrorCode } from "@neopro/protocol";

/** Failures the dashboard can meet that are not the API's own codes. */
export type ClientErrorCode = "NETWORK" | "INVALID_RESPONSE";

/** A request central refused (4xx/5xx), or could not be reached. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode | ClientErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ApiRequestError";
  }
}

export type Query = Record<string, string | number | undefined>;

export interface ApiClient {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body: unknown, query?: Query): Promise<T>;
  delete<T>(path: string): Promise<T>;
}

/**
 * Calls central's REST API with the operator token. `onUnauthorized` runs
 * when central refuses the token (revoked, or central restarted with another
 * one), so the dashboard can go back to sign-in.
 */
export function createApiClient(options: {
  token: string;
  baseUrl?: string;
  onUnauthorized?: () => void;
}): ApiClient {
  const baseUrl = options.baseUrl ?? "";

  async function call<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}${queryString(query)}`, {
        method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiRequestError(0, "NETWORK", "central did not answer", undefined, { cause: error });
    }
    const payload = await readJson(response);
    if (response.ok) return payload as T;
    if (response.status === 401) options.onUnauthorized?.();
    const failure = payload as { error?: ApiErrorCode; message?: string; details?: unknown } | undefined;
    throw new ApiRequestError(
      response.status,
      failure?.error ?? "INVALID_RESPONSE",
      failure?.message ?? `HTTP ${response.status}`,
      failure?.details,
    );
  }

  return {
    get: (path, query) => call("GET", path, undefined, query),
    post: (path, body, query) => call("POST", path, body, query),
    delete: (path) => call("DELETE", path),
  };
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiRequestError(
      response.status,
      "INVALID_RESPONSE",
      `central answered HTTP ${response.status} with something other than JSON`,
      undefined,
      { cause: error },
    );
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
