import {
  COMMAND_TYPES,
  COMMANDS,
  type CommandType,
  isCommandType,
  MESSAGES,
  type SendAnswer,
} from "@neopro/protocol";
import { useMemo, useState } from "preact/hooks";
import { ApiRequestError } from "../api/client.js";
import { CommandResult } from "../components/command-result.js";
import { type DeliveryOptions, DeliveryOptionsInputs, readExpiry } from "../components/delivery-options.js";
import { ErrorNotice } from "../components/notice.js";
import { type ParamValues, paramFields, readParams } from "../components/param-fields.js";
import { ParamInputs } from "../components/param-form.js";
import { useSession } from "../context.js";
import { STATUS_LABELS } from "../format.js";
import { useResource } from "../hooks.js";
import { paths } from "../router.js";

/** How long a real-time command's answer is awaited, so its result shows here. */
const REAL_TIME_WAIT_SECONDS = 30;

type Answer =
  | { kind: "sent" | "queued"; message: string; answer: SendAnswer; type: CommandType }
  | { kind: "refused"; message: string };

/** "Envoyer une commande": any type of the catalogue, its form derived from the catalogue's schema. */
export function SendCommandPage({ siteId }: { siteId: string }) {
  const { api } = useSession();
  const site = useResource(() => api.getSite(siteId), siteId);
  const [type, setType] = useState<CommandType>("update_config");
  const [values, setValues] = useState<ParamValues>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [delivery, setDelivery] = useState<DeliveryOptions>({ priority: 5, expiresAt: "" });
  const [queueIfOffline, setQueueIfOffline] = useState(true);
  const [answer, setAnswer] = useState<Answer | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const fields = useMemo(() => paramFields(type), [type]);
  const definition = COMMANDS[type];

  function chooseType(next: string) {
    if (!isCommandType(next)) return;
    setType(next);
    setValues({});
    setErrors({});
    setAnswer(undefined);
    setFailure(undefined);
    setDelivery((current) => ({ ...current, priority: COMMANDS[next].defaultPriority }));
  }

  async function submit(event: Event) {
    event.preventDefault();
    setAnswer(undefined);
    setFailure(undefined);
    const params = readParams(type, fields, values);
    const expiry = definition.queueable ? readExpiry(delivery.expiresAt) : {};
    const fieldErrors = params.ok ? {} : params.errors;
    if ("error" in expiry) fieldErrors.expiresAt = expiry.error;
    setErrors(fieldErrors);
    if (!params.ok || "error" in expiry) return;
    setBusy(true);
    try {
      const body = definition.queueable
        ? { command: type, params: params.params, priority: delivery.priority, queueIfOffline, ...expiry }
        : { command: type, params: params.params };
      const sent = await api.send(siteId, body, definition.queueable ? undefined : REAL_TIME_WAIT_SECONDS);
      const queued = "queued" in sent && sent.queued ? sent : undefined;
      setAnswer({
        kind: queued ? "queued" : "sent",
        // With ?wait the answer carries the outcome rather than a message: the reference's words for "sent".
        message: queued ? queued.message : MESSAGES.sent,
        answer: sent,
        type,
      });
    } catch (error) {
      if (error instanceof ApiRequestError && error.code === "SITE_OFFLINE") {
        setAnswer({ kind: "refused", message: error.message });
      } else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const siteName = site.data ? `${site.data.site_name} — ${site.data.club_name}` : siteId;
  return (
    <main id="main">
      <p class="breadcrumb">
        <a href={paths.sites}>Sites</a> › <a href={paths.site(siteId)}>{site.data?.site_name ?? siteId}</a> ›
        Envoyer une commande
      </p>
      <h1 tabIndex={-1}>Envoyer une commande</h1>
      <p>
        Site : <strong>{siteName}</strong>
        {site.data ? ` (${site.data.online ? "en ligne" : "hors ligne"})` : null}
      </p>
      <ErrorNotice error={site.error} title="Le site n'a pas pu être chargé." />
      <form onSubmit={submit} noValidate class="panel">
        <div class="field">
          <label for="command-type">Type de commande</label>
          <select id="command-type" value={type} onChange={(event) => chooseType(event.currentTarget.value)}>
            <optgroup label="Mises en file d'attente si le site est hors ligne">
              {COMMAND_TYPES.filter((name) => COMMANDS[name].queueable).map((name) => (
                <option key={name} value={name}>
                  {COMMANDS[name].description} ({name})
                </option>
              ))}
            </optgroup>
            <optgroup label="Temps réel : le site doit être connecté">
              {COMMAND_TYPES.filter((name) => !COMMANDS[name].queueable).map((name) => (
                <option key={name} value={name}>
                  {COMMANDS[name].description} ({name})
                </option>
              ))}
            </optgroup>
          </select>
        </div>
        <fieldset>
          <legend>Paramètres</legend>
          <ParamInputs
            idPrefix="param"
            fields={fields}
            values={values}
            errors={errors}
            onChange={setValues}
          />
        </fieldset>
        {definition.queueable ? (
          <fieldset>
            <legend>Livraison</legend>
            <DeliveryOptionsInputs
              idPrefix="send"
              value={delivery}
              onChange={setDelivery}
              expiryError={errors.expiresAt}
            />
            <div class="field checkbox">
              <input
                id="queue-if-offline"
                type="checkbox"
                checked={queueIfOffline}
                onChange={(event) => setQueueIfOffline(event.currentTarget.checked)}
              />
              <label for="queue-if-offline">Mettre en file d'attente si le site est hors ligne</label>
            </div>
          </fieldset>
        ) : (
          <p class="hint">
            Commande temps réel : refusée si le site est hors ligne ; sinon son résultat s'affiche ici
            (attente de {REAL_TIME_WAIT_SECONDS} s au plus).
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Envoi…" : "Envoyer"}
        </button>
      </form>
      <ErrorNotice error={failure} title="La commande n'a pas été envoyée." />
      {answer ? <AnswerPanel answer={answer} siteId={siteId} /> : null}
    </main>
  );
}

const ANSWER_TITLES = { sent: "Envoyée", queued: "Mise en file d'attente", refused: "Refusée" } as const;

function AnswerPanel({ answer, siteId }: { answer: Answer; siteId: string }) {
  return (
    <section
      class={`notice ${answer.kind === "refused" ? "notice-error" : "notice-success"}`}
      role={answer.kind === "refused" ? "alert" : "status"}
      data-answer={answer.kind}
      aria-labelledby="answer-title"
    >
      <h2 id="answer-title">{ANSWER_TITLES[answer.kind]}</h2>
      <p data-testid="answer-message">{answer.message}</p>
      {answer.kind !== "refused" ? <Outcome answer={answer.answer} type={answer.type} /> : null}
      {answer.kind !== "refused" ? (
        <p>
          <a href={paths.site(siteId)}>Voir la file et l'historique du site</a>
        </p>
      ) : null}
    </section>
  );
}

/** The command's status when central waited for it (`?wait`): its outcome, or still running. */
function Outcome({ answer, type }: { answer: SendAnswer; type: CommandType }) {
  if (!("status" in answer)) return null;
  const finished = "timedOut" in answer ? undefined : answer;
  return (
    <div>
      <p>
        Statut : {STATUS_LABELS[answer.status]}
        {finished ? null : " (toujours en cours ; le résultat arrivera dans l'historique)"}
      </p>
      {finished?.error ? (
        <p class="field-error">
          {finished.error.code} : {finished.error.message}
        </p>
      ) : null}
      {finished && finished.result !== undefined ? (
        <CommandResult type={type} result={finished.result} />
      ) : null}
    </div>
  );
}
