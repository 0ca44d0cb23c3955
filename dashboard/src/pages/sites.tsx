import type { SiteCreatedAnswer, SiteListAnswer } from "@neopro/protocol";
import { useEffect, useState } from "preact/hooks";
import { CopyButton } from "../components/copy-button.js";
import { ErrorNotice } from "../components/notice.js";
import { Pager } from "../components/pager.js";
import { SiteState } from "../components/site-state.js";
import { useSession } from "../context.js";
import { formatAge, formatDate } from "../format.js";
import { useDebounced, useResource } from "../hooks.js";
import { paths } from "../router.js";

/** 50 rows a page: thousands of sites stay one request per page, never one per row. */
const PAGE_SIZE = 50;

type StateFilter = "" | "online" | "offline";

export function SitesPage() {
  const { api, live } = useSession();
  const [search, setSearch] = useState("");
  const [state, setState] = useState<StateFilter>("");
  const [offset, setOffset] = useState(0);
  const settledSearch = useDebounced(search.trim(), 300);
  const query = { limit: PAGE_SIZE, offset, search: settledSearch || undefined, status: state || undefined };
  const sites = useResource(() => api.listSites(query), JSON.stringify(query));
  const [page, setPage] = useState<SiteListAnswer | undefined>(undefined);

  useEffect(() => setPage(sites.data), [sites.data]);
  useEffect(() => setOffset(0), [settledSearch, state]);

  // Live: rows on this page take the new state in place; nothing else is fetched.
  useEffect(() => {
    const stopSites = live.onSites((changed) => {
      const byId = new Map(changed.map((site) => [site.id, site]));
      setPage((current) =>
        current ? { ...current, sites: current.sites.map((site) => byId.get(site.id) ?? site) } : current,
      );
    });
    const stopResync = live.onResync(sites.refresh);
    return () => {
      stopSites();
      stopResync();
    };
  }, [live, sites.refresh]);

  return (
    <main id="main">
      <h1 tabIndex={-1}>Sites</h1>
      <CreateSite onCreated={sites.reload} />
      <section aria-labelledby="sites-list-title">
        <h2 id="sites-list-title">Liste des sites</h2>
        <div class="filters">
          <div class="field">
            <label for="site-search">Rechercher (nom du site ou du club)</label>
            <input
              id="site-search"
              type="search"
              value={search}
              onInput={(event) => setSearch(event.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="site-state">État</label>
            <select
              id="site-state"
              value={state}
              onChange={(event) => setState(event.currentTarget.value as StateFilter)}
            >
              <option value="">Tous</option>
              <option value="online">En ligne</option>
              <option value="offline">Hors ligne</option>
            </select>
          </div>
        </div>
        <ErrorNotice error={sites.error} title="La liste des sites n'a pas pu être chargée." />
        {page ? (
          <>
            <table class="data" aria-busy={sites.loading}>
              <caption class="visually-hidden">Sites, triés par club</caption>
              <thead>
                <tr>
                  <th scope="col">Site</th>
                  <th scope="col">Club</th>
                  <th scope="col">État</th>
                  <th scope="col">Dernière connexion</th>
                  <th scope="col">En attente</th>
                  <th scope="col">Plus ancienne en attente</th>
                </tr>
              </thead>
              <tbody>
                {page.sites.length === 0 ? (
                  <tr>
                    <td colSpan={6}>Aucun site ne correspond.</td>
                  </tr>
                ) : null}
                {page.sites.map((site) => (
                  <tr key={site.id} data-site-id={site.id}>
                    <th scope="row">
                      <a href={paths.site(site.id)}>{site.site_name}</a>
                    </th>
                    <td>{site.club_name}</td>
                    <td>
                      <SiteState online={site.online} />
                    </td>
                    <td>{formatDate(site.last_seen_at)}</td>
                    <td class="number" data-pending-count={site.pending_count}>
                      {site.pending_count}
                    </td>
                    <td>{site.oldest_pending ? formatAge(site.oldest_pending) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager label="Sites" total={page.total} limit={PAGE_SIZE} offset={offset} onOffset={setOffset} />
          </>
        ) : sites.loading ? (
          <p>Chargement…</p>
        ) : null}
      </section>
    </main>
  );
}

function CreateSite(props: { onCreated(): void }) {
  const { api } = useSession();
  const [siteName, setSiteName] = useState("");
  const [clubName, setClubName] = useState("");
  const [error, setError] = useState<unknown>(undefined);
  const [created, setCreated] = useState<SiteCreatedAnswer | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const site = await api.createSite({ siteName: siteName.trim(), clubName: clubName.trim() });
      setCreated(site);
      setSiteName("");
      setClubName("");
      props.onCreated();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="create-site-title" class="panel">
      <h2 id="create-site-title">Nouveau site</h2>
      <form onSubmit={submit} noValidate class="inline-form">
        <div class="field">
          <label for="new-site-name">Nom du site</label>
          <input
            id="new-site-name"
            value={siteName}
            maxLength={200}
            onInput={(event) => setSiteName(event.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="new-club-name">Club</label>
          <input
            id="new-club-name"
            value={clubName}
            maxLength={200}
            onInput={(event) => setClubName(event.currentTarget.value)}
          />
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Créer le site
        </button>
      </form>
      <ErrorNotice error={error} title="Le site n'a pas été créé." />
      {created ? (
        <div class="notice notice-success created-site" role="status">
          <p>
            Site <strong>{created.siteName}</strong> ({created.clubName}) créé. Identifiant (SITE_ID) :{" "}
            <code data-testid="created-site-id">{created.id}</code>
          </p>
          <p>
            Jeton de l'agent (SITE_TOKEN), affiché <strong>une seule fois</strong> :{" "}
            <code data-testid="created-site-token">{created.token}</code>{" "}
            <CopyButton text={created.token} label="Copier le jeton" />
          </p>
          <p>
            <a href={paths.site(created.id)}>Ouvrir la page du site</a>
          </p>
        </div>
      ) : null}
    </section>
  );
}
