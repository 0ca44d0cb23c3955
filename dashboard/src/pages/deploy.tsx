import type { SiteSnapshot } from "@neopro/protocol";
import { useMemo, useState } from "preact/hooks";
import { ApiRequestError } from "../api/client.js";
import { describeError } from "../api/errors.js";
import { type DeliveryOptions, DeliveryOptionsInputs, readExpiry } from "../components/delivery-options.js";
import { type ParamValues, paramFields, readParams } from "../components/param-fields.js";
import { ParamInputs } from "../components/param-form.js";
import { SitePicker } from "../components/site-picker.js";
import { useSession } from "../context.js";
import { paths } from "../router.js";

/** 4 requests at once: a deployment to hundreds of sites finishes quickly without flooding central. */
const CONCURRENT_SENDS = 4;

type SiteOutcome =
  | { kind: "pending" }
  | { kind: "sent" | "queued" | "refused"; message: string }
  | { kind: "error"; message: string };

const OUTCOME_LABELS: Record<SiteOutcome["kind"], string> = {
  pending: "Envoi…",
  sent: "Envoyée",
  queued: "Mise en file d'attente",
  refused: "Refusée",
  error: "Erreur",
};

/** "Contenu → Déployer" (§7): one video to one or several sites, online or not; the result per site. */
export function DeployPage() {
  const { api } = useSession();
  const fields = useMemo(() => paramFields("deploy_video"), []);
  const [values, setValues] = useState<ParamValues>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [delivery, setDelivery] = useState<DeliveryOptions>({ priority: 5, expiresAt: "" });
  const [selected, setSelected] = useState(new Map<string, SiteSnapshot>());
  const [outcomes, setOutcomes] = useState(new Map<string, SiteOutcome>());
  const [targets, setTargets] = useState<SiteSnapshot[]>([]);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const params = readParams("deploy_video", fields, values);
    const expiry = readExpiry(delivery.expiresAt);
    const fieldErrors = params.ok ? {} : { ...params.errors };
    if ("error" in expiry) fieldErrors.expiresAt = expiry.error;
    if (selected.size === 0) fieldErrors.sites = "Choisissez au moins un site.";
    setErrors(fieldErrors);
    if (!params.ok || "error" in expiry || selected.size === 0) return;

    const sites = [...selected.values()];
    const results = new Map<string, SiteOutcome>(sites.map((site) => [site.id, { kind: "pending" }]));
    setTargets(sites);
    setOutcomes(new Map(results));
    setBusy(true);
    const body = { command: "deploy_video", params: params.params, priority: delivery.priority, ...expiry };
    const queue = [...sites];
    async function worker() {
      for (let site = queue.shift(); site; site = queue.shift()) {
        results.set(site.id, await deployTo(site.id));
        setOutcomes(new Map(results));
      }
    }
    async function deployTo(siteId: string): Promise<SiteOutcome> {
      try {
        const answer = await api.send(siteId, body);
        // Sent without ?wait: accepted (sent or queued), with the reference's message.
        const queued = "queued" in answer && answer.queued;
        return { kind: queued ? "queued" : "sent", message: "message" in answer ? answer.message : "" };
      } catch (error) {
        if (error instanceof ApiRequestError && error.code === "SITE_OFFLINE") {
          return { kind: "refused", message: error.message };
        }
        const { summary, detail } = describeError(error);
        return { kind: "error", message: detail ? `${summary} ${detail}` : summary };
      }
    }
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_SENDS, sites.length) }, worker));
    setBusy(false);
  }

  return (
    <main id="main">
      <h1 tabIndex={-1}>Contenu → Déployer une vidéo</h1>
      <p>
        La vidéo est envoyée à chaque site choisi ; un site hors ligne la reçoit à sa prochaine connexion.
      </p>
      <form onSubmit={submit} noValidate class="panel">
        <fieldset>
          <legend>Vidéo</legend>
          <ParamInputs
            idPrefix="video"
            fields={fields}
            values={values}
            errors={errors}
            onChange={setValues}
          />
        </fieldset>
        <SitePicker selected={selected} onChange={setSelected} />
        {errors.sites ? (
          <p class="field-error" role="alert">
            {errors.sites}
          </p>
        ) : null}
        <fieldset>
          <legend>Livraison</legend>
          <DeliveryOptionsInputs
            idPrefix="deploy"
            value={delivery}
            onChange={setDelivery}
            expiryError={errors.expiresAt}
          />
        </fieldset>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Déploiement…" : `Déployer sur ${selected.size} site(s)`}
        </button>
      </form>
      {targets.length > 0 ? (
        <section aria-labelledby="deploy-results-title" class="panel">
          <h2 id="deploy-results-title">Résultat par site</h2>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Site</th>
                <th scope="col">Résultat</th>
                <th scope="col">Message du serveur</th>
              </tr>
            </thead>
            <tbody aria-live="polite">
              {targets.map((site) => {
                const outcome = outcomes.get(site.id) ?? { kind: "pending" };
                return (
                  <tr key={site.id} data-site-id={site.id} data-outcome={outcome.kind}>
                    <th scope="row">
                      <a href={paths.site(site.id)}>{site.site_name}</a> — {site.club_name}
                    </th>
                    <td>{OUTCOME_LABELS[outcome.kind]}</td>
                    <td>{"message" in outcome ? outcome.message : ""}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      ) : null}
    </main>
  );
}
