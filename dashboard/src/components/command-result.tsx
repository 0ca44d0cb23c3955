/**
 * A command's result, readable: logs as text, checks and settings as
 * tables, anything else as a table of its fields (nested ones flattened).
 */
export function CommandResult({ type, result }: { type: string; result: unknown }) {
  if (result === null || result === undefined) return <span class="hint">Pas de résultat.</span>;
  if (type === "get_logs" && isRecord(result) && Array.isArray(result.lines)) {
    const lines = result.lines.map(String);
    return (
      <div class="result-logs">
        <p class="hint">
          {lines.length} ligne(s), source : {String(result.source ?? "?")}
        </p>
        <pre>{lines.join("\n") || "(journal vide)"}</pre>
      </div>
    );
  }
  if (type === "network_diagnostics" && isRecord(result) && Array.isArray(result.checks)) {
    return <ChecksTable checks={result.checks.filter(isRecord)} />;
  }
  if (!isRecord(result)) return <code>{JSON.stringify(result)}</code>;
  return (
    <FieldsTable
      rows={flatten(result)}
      caption={type === "get_system_info" ? "Informations système" : undefined}
    />
  );
}

function ChecksTable({ checks }: { checks: Record<string, unknown>[] }) {
  return (
    <table class="result-table">
      <caption>Diagnostic réseau</caption>
      <thead>
        <tr>
          <th scope="col">Vérification</th>
          <th scope="col">Résultat</th>
          <th scope="col">Détail</th>
          <th scope="col">Durée</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((check) => (
          <tr key={String(check.name)}>
            <th scope="row">{String(check.name)}</th>
            <td>{check.ok ? "OK" : "Échec"}</td>
            <td>{String(check.detail ?? "")}</td>
            <td>{typeof check.durationMs === "number" ? `${Math.round(check.durationMs)} ms` : "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FieldsTable({ rows, caption }: { rows: [string, string][]; caption: string | undefined }) {
  return (
    <table class="result-table">
      {caption ? <caption>{caption}</caption> : null}
      <tbody>
        {rows.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Nested objects become "parent.child" rows; arrays of plain values are joined. At most 200 rows. */
function flatten(
  value: Record<string, unknown>,
  prefix = "",
  rows: [string, string][] = [],
): [string, string][] {
  for (const [key, child] of Object.entries(value)) {
    if (rows.length >= 200) break;
    const name = prefix ? `${prefix}.${key}` : key;
    if (isRecord(child)) flatten(child, name, rows);
    else if (Array.isArray(child) && child.every((item) => !isRecord(item) && !Array.isArray(item))) {
      rows.push([name, child.join(", ")]);
    } else if (Array.isArray(child)) {
      child.forEach((item, index) => {
        if (isRecord(item)) flatten(item, `${name}[${index}]`, rows);
        else rows.push([`${name}[${index}]`, JSON.stringify(item)]);
      });
    } else rows.push([name, child === null ? "—" : String(child)]);
  }
  return rows;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
