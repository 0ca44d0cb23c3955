import type { CommandRecordAnswer } from "@neopro/protocol";
import { useEffect, useState } from "preact/hooks";
import { CommandResult } from "../components/command-result.js";
import { ErrorNotice } from "../components/notice.js";
import { Pager } from "../components/pager.js";
import { useSession } from "../context.js";
import { formatDate, STATUS_LABELS } from "../format.js";
import { useResource } from "../hooks.js";

const PAGE_SIZE = 20;

/** "Historique": every command sent to the site, newest first, with its result. Live. */
export function CommandHistory({ siteId }: { siteId: string }) {
  const { api, live } = useSession();
  const [offset, setOffset] = useState(0);
  const history = useResource(() => api.history(siteId, { limit: PAGE_SIZE, offset }), `${siteId}:${offset}`);
  const { refresh } = history;

  useEffect(() => {
    const stopCommands = live.onCommands(refresh);
    const stopSites = live.onSites((changed) => {
      if (changed.some((site) => site.id === siteId)) refresh();
    });
    const stopResync = live.onResync(refresh);
    return () => {
      stopCommands();
      stopSites();
      stopResync();
    };
  }, [live, siteId, refresh]);

  const page = history.data;
  return (
    <section aria-labelledby="history-title" class="panel">
      <h2 id="history-title">Historique</h2>
      <ErrorNotice error={history.error} title="L'historique n'a pas pu être chargé." />
      {page && page.commands.length === 0 ? <p>Aucune commande envoyée à ce site.</p> : null}
      {page && page.commands.length > 0 ? (
        <>
          <table class="data" aria-busy={history.loading} data-testid="history-table">
            <caption class="visually-hidden">Commandes envoyées au site, les plus récentes d'abord</caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Statut</th>
                <th scope="col">Créée</th>
                <th scope="col">Livrée</th>
                <th scope="col">Terminée</th>
                <th scope="col">Résultat</th>
              </tr>
            </thead>
            <tbody>
              {page.commands.map((command) => (
                <HistoryRow key={command.id} command={command} />
              ))}
            </tbody>
          </table>
          <Pager
            label="Commandes"
            total={page.total}
            limit={PAGE_SIZE}
            offset={offset}
            onOffset={setOffset}
          />
        </>
      ) : null}
    </section>
  );
}

function HistoryRow({ command }: { command: CommandRecordAnswer }) {
  const ended = command.finished_at ?? command.cancelled_at ?? command.expired_at;
  return (
    <tr data-command-id={command.id} data-status={command.status}>
      <th scope="row">
        <code>{command.command_type}</code>
        <div class="hint">{command.description}</div>
      </th>
      <td>
        <span class={`badge status-${command.status}`}>{STATUS_LABELS[command.status]}</span>
      </td>
      <td>{formatDate(command.created_at)}</td>
      <td>{formatDate(command.delivered_at)}</td>
      <td>{formatDate(ended)}</td>
      <td class="result-cell">
        <Outcome command={command} />
      </td>
    </tr>
  );
}

function Outcome({ command }: { command: CommandRecordAnswer }) {
  if (command.error_code) {
    return (
      <span class="field-error">
        {command.error_code} : {command.error_message}
      </span>
    );
  }
  if (command.result === null || command.result === undefined) return <span class="hint">—</span>;
  return (
    <details>
      <summary>Voir le résultat</summary>
      <CommandResult type={command.command_type} result={command.result} />
    </details>
  );
}
