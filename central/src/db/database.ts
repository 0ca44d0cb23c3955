/**
 * The small database interface central talks to. Two implementations keep
 * the same SQL working on a PostgreSQL server (`pg` pool) and on the embedded
 * PGlite used when DATABASE_URL is unset; callers never see which one runs.
 *
 * Results are normalised: timestamps come back as Date, jsonb as objects,
 * and every count is cast to `::int` in SQL (pg returns bigint as a string).
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export interface ListenOptions {
  /** The listening connection was lost and is back; notifications may have been missed. */
  onReconnect?: () => void;
}

export interface Database extends Queryable {
  readonly kind: "postgres" | "pglite";
  /**
   * Runs `work` in one transaction (COMMIT, or ROLLBACK if it throws). Inside
   * it, query through `tx` only: PGlite has a single connection, so a query
   * on the database itself would wait for the transaction to end, forever.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; resolves to a function that stops listening. */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    options?: ListenOptions,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Quotes an SQL identifier (LISTEN takes a channel name, not a parameter). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * What a log line needs from a driver error. pg errors carry their whole
 * client object, which would bury the reason under kilobytes of state.
 */
export function errorSummary(error: unknown): { reason: string; code?: string } {
  if (!(error instanceof Error)) return { reason: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? { reason: error.message, code } : { reason: error.message };
}
