import { priorityLabel } from "@neopro/protocol";

/** Where a command writes: stdout for results, stderr for problems; `json` for scripts. */
export interface Output {
  readonly json: boolean;
  line(text?: string): void;
  /** The server's answer as is, in `--json` mode. */
  data(value: unknown): void;
  problem(text: string): void;
}

export function createOutput(
  streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  json: boolean,
): Output {
  return {
    json,
    line: (text = "") => streams.stdout.write(`${text}\n`),
    data: (value) => streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    problem: (text) => streams.stderr.write(`${text}\n`),
  };
}

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Numbers read better right-aligned. */
  align?: "right";
}

/** A plain-text table: a header line, then one line per row, columns padded to their widest cell. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.value(row))));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => (line[index] as string).length)),
  );
  const format = (values: string[]) =>
    values
      .map((value, index) => {
        const width = widths[index] as number;
        return columns[index]?.align === "right" ? value.padStart(width) : value.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [format(columns.map((column) => column.header)), ...cells.map(format)].join("\n");
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}

/** `2026-12-03 15:04:05` in the local time zone (TZ), or `-`. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "-";
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, "0");
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** How long ago: `45s`, `12m`, `3h 5m`, `2d 4h`. */
export function formatAge(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** `3h 5m ago`, or `-`. */
export function formatAgo(iso: string | null | undefined): string {
  return iso ? `${formatAge(iso)} ago` : "-";
}

/** `5 Normal`: the number and the reference's label. */
export function formatPriority(priority: number): string {
  return `${priority} ${priorityLabel(priority)}`;
}

/** A value on one line, shortened to `max` characters. */
export function brief(value: unknown, max = 60): string {
  if (value === null || value === undefined) return "-";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
