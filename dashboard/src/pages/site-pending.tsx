import type { PendingCommandAnswer, PendingListAnswer, PendingState } from "@neopro/protocol";
import { priorityLabel } from "@neopro/protocol";
import { useState } from "preact/hooks";
import { ErrorNotice, Notice } from "../components/notice.js";
import { useSession } from "../context.js";
import { formatDate, plural } from "../format.js";
import type { Resource } from "../hooks.js";

const STATE_CLASSES: Record<PendingState, string> = {
  "EN ATTENTE": "badge-waiting",
  EXPIRÉ: "badge-expired",
  "MAX TENTATIVES": "badge-exhausted",
};

/** "Commandes en attente": what the site will receive, with cancel, cancel all and retry (§8). */
export function PendingCommands({
  siteId,
  pending,
}: {
  siteId: string;
  pending: Resource<PendingListAnswer>;
}) {
  const { api } = useSession();
  const [outcome, setOutcome] = useState<{ message: string } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [confirming, setConfirming] = useState(false);
  const commands = pending.data?.commands ?? [];

  async function act(action: () => Promise<{ message: string }>) {
    setError(undefined);
    setOutcome(undefined);
    try {
      setOutcome(await action());
    } catch (failure) {
      setError(failure);
    } finally {
      pending.reload();
    }
  }

  return (
    <section aria-labelledby="pending-title" class="panel">
      <div class="section-head">
        <h2 id="pending-title">
          Commandes en attente <span data-testid="pending-count">({commands.length})</span>
        </h2>
        {commands.length > 0 && !confirming ? (
          <button type="button" class="danger" onClick={() => setConfirming(true)}>
            Tout annuler
          </button>
        ) : null}
      </div>
      {confirming ? (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-cancel-all">
          <p id="confirm-cancel-all">
            Annuler {commands.length > 1 ? `les ${commands.length} commandes` : "la commande"} en attente de
            ce site ? Elles ne seront pas envoyées.
          </p>
          <button
            type="button"
            class="danger"
            // biome-ignore lint/a11y/noAutofocus: the confirmation takes the focus, as a dialog would.
            autoFocus
            onClick={() => {
              setConfirming(false);
              void act(() => api.cancelAll(siteId));
            }}
          >
            Oui, annuler {plural(commands.length, "commande")}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Non, garder
          </button>
        </div>
      ) : null}
      {outcome ? <Notice kind="success">{outcome.message}</Notice> : null}
      <ErrorNotice error={error} title="Action refusée." />
      <ErrorNotice error={pending.error} title="Les commandes en attente n'ont pas pu être chargées." />
      {commands.length === 0 && pending.data ? <p>Aucune commande en attente pour ce site.</p> : null}
      {commands.length > 0 ? (
        <table class="data" aria-busy={pending.loading} data-testid="pending-table">
          <caption class="visually-hidden">Commandes en attente, dans l'ordre de livraison</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Priorité</th>
              <th scope="col">Créée</th>
              <th scope="col">Expiration</th>
              <th scope="col">Tentatives</th>
              <th scope="col">État</th>
              <th scope="col">Paramètres</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {commands.map((command) => (
              <PendingRow
                key={command.id}
                command={command}
                onCancel={() => act(() => api.cancelOne(siteId, command.id))}
                onRetry={() => act(() => api.retry(siteId, command.id))}
              />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function PendingRow(props: { command: PendingCommandAnswer; onCancel(): void; onRetry(): void }) {
  const { command } = props;
  return (
    <tr data-command-id={command.id} data-state={command.state}>
      <th scope="row">
        <code>{command.command_type}</code>
        <div class="hint">{command.description}</div>
      </th>
      <td>
        {priorityLabel(command.priority)} <span class="hint">({command.priority})</span>
      </td>
      <td>{formatDate(command.created_at)}</td>
      <td>{command.expires_at ? formatDate(command.expires_at) : "Jamais"}</td>
      <td class="number">
        {command.attempts} / {command.max_attempts}
      </td>
      <td>
        <span class={`badge ${STATE_CLASSES[command.state]}`}>{command.state}</span>
      </td>
      <td>
        <details>
          <summary>Détails</summary>
          <pre>{JSON.stringify(command.command_data, null, 2)}</pre>
        </details>
      </td>
      <td class="actions">
        <button type="button" onClick={props.onCancel} aria-label={`Annuler ${command.command_type}`}>
          Annuler
        </button>
        {command.state === "MAX TENTATIVES" ? (
          <button type="button" onClick={props.onRetry} aria-label={`Réessayer ${command.command_type}`}>
            Réessayer
          </button>
        ) : null}
      </td>
    </tr>
  );
}
