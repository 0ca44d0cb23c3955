/** A small REST client for tests: the operator's view of central. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export function apiClient(baseUrl: string, token: string) {
  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<T>> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  }
  return {
    get: <T = Record<string, unknown>>(path: string) => call<T>("GET", path),
    post: <T = Record<string, unknown>>(path: string, body: unknown) => call<T>("POST", path, body),
    delete: <T = Record<string, unknown>>(path: string) => call<T>("DELETE", path),
    async createSite(siteName = "Complexe Sportif X", clubName = "Club X") {
      const { status, body } = await call<{ id: string; token: string }>("POST", "/api/sites", {
        siteName,
        clubName,
      });
      if (status !== 201) throw new Error(`creating a site failed: ${status} ${JSON.stringify(body)}`);
      return body;
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** Polls until check() returns a value other than undefined, or fails with the last value seen. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 100, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: last });
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
