import { useEffect } from "preact/hooks";
import { ErrorNotice } from "../components/notice.js";
import { SiteState } from "../components/site-state.js";
import { useSession } from "../context.js";
import { formatDate } from "../format.js";
import { useResource } from "../hooks.js";
import { paths } from "../router.js";
import { CommandHistory } from "./site-history.js";
import { PendingCommands } from "./site-pending.js";

/** One site: its state, the commands waiting for it, and everything sent to it. Live. */
export function SitePage({ siteId }: { siteId: string }) {
  const { api, live } = useSession();
  const site = useResource(() => api.getSite(siteId), siteId);
  const pending = useResource(() => api.pending(siteId), siteId);
  const { refresh: refreshSite } = site;
  const { refresh: refreshPending } = pending;

  useEffect(() => {
    live.watchSite(siteId);
    const stopSites = live.onSites((changed) => {
      if (changed.some((row) => row.id === siteId)) {
        refreshSite();
        refreshPending();
      }
    });
    const stopCommands = live.onCommands(refreshPending);
    const stopResync = live.onResync(() => {
      refreshSite();
      refreshPending();
    });
    return () => {
      live.watchSite(null);
      stopSites();
      stopCommands();
      stopResync();
    };
  }, [live, siteId, refreshSite, refreshPending]);

  const data = site.data;
  return (
    <main id="main">
      <p class="breadcrumb">
        <a href={paths.sites}>Sites</a> › {data?.site_name ?? siteId}
      </p>
      <h1 tabIndex={-1}>{data ? `${data.site_name} — ${data.club_name}` : "Site"}</h1>
      <ErrorNotice error={site.error} title="Le site n'a pas pu être chargé." />
      {data ? (
        <div class="site-header">
          <dl class="facts">
            <div>
              <dt>État</dt>
              <dd data-testid="site-state">
                <SiteState online={data.online} />
              </dd>
            </div>
            <div>
              <dt>Dernière connexion</dt>
              <dd>{formatDate(data.last_seen_at)}</dd>
            </div>
            <div>
              <dt>Version de l'agent</dt>
              <dd>{data.agent_version ?? "—"}</dd>
            </div>
            <div>
              <dt>Identifiant</dt>
              <dd>
                <code>{data.id}</code>
              </dd>
            </div>
          </dl>
          <a class="button primary" href={paths.send(siteId)}>
            Envoyer une commande
          </a>
        </div>
      ) : null}
      <PendingCommands siteId={siteId} pending={pending} />
      <CommandHistory siteId={siteId} />
    </main>
  );
}
