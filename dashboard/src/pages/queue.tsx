import type { QueueSummarySiteAnswer } from "@neopro/protocol";
import { priorityLabel } from "@neopro/protocol";
import { useEffect, useMemo, useState } from "preact/hooks";
import { ErrorNotice } from "../components/notice.js";
import { SiteState } from "../components/site-state.js";
import { useSession } from "../context.js";
import { formatAge, formatDate } from "../format.js";
import { useResource } from "../hooks.js";
import { paths } from "../router.js";

type SortKey = "count" | "age";
type Sort = { key: SortKey; descending: boolean };

const COMPARE: Record<SortKey, (a: QueueSummarySiteAnswer, b: QueueSummarySiteAnswer) => number> = {
  count: (a, b) => a.pending_count - b.pending_count,
  // Older first command = larger age.
  age: (a, b) => Date.parse(b.oldest_command) - Date.parse(a.oldest_command),
};

/** "Queue globale": every site with pending commands, with the summary's totals; sortable. Live. */
export function QueuePage() {
  const { api, live } = useSession();
  const summary = useResource(() => api.summary(), "summary");
  const [sort, setSort] = useState<Sort>({ key: "count", descending: true });
  const { refresh } = summary;

  useEffect(() => {
    const stopSites = live.onSites(refresh);
    const stopResync = live.onResync(refresh);
    return () => {
      stopSites();
      stopResync();
    };
  }, [live, refresh]);

  const rows = useMemo(() => {
    const sites = [...(summary.data?.sites ?? [])];
    const compare = COMPARE[sort.key];
    return sites.sort((a, b) => (sort.descending ? -compare(a, b) : compare(a, b)));
  }, [summary.data, sort]);

  function sortBy(key: SortKey) {
    setSort((current) =>
      current.key === key ? { key, descending: !current.descending } : { key, descending: true },
    );
  }

  const ariaSort = (key: SortKey) =>
    sort.key === key ? (sort.descending ? "descending" : "ascending") : "none";
  const arrow = (key: SortKey) => (sort.key === key ? (sort.descending ? " ▼" : " ▲") : "");

  return (
    <main id="main">
      <h1 tabIndex={-1}>Queue globale</h1>
      <ErrorNotice error={summary.error} title="La queue globale n'a pas pu être chargée." />
      {summary.data ? (
        <>
          <dl class="totals">
            <div>
              <dt>Commandes en attente (livrables)</dt>
              <dd data-testid="total-pending">{summary.data.totalPending}</dd>
            </div>
            <div>
              <dt>Sites concernés</dt>
              <dd data-testid="sites-with-pending">{summary.data.sitesWithPendingCommands}</dd>
            </div>
          </dl>
          {rows.length === 0 ? <p>Aucune commande en attente.</p> : null}
          {rows.length > 0 ? (
            <table class="data" aria-busy={summary.loading}>
              <caption class="visually-hidden">
                Sites ayant des commandes en attente ; les en-têtes « En attente » et « Plus ancienne » trient
                le tableau
              </caption>
              <thead>
                <tr>
                  <th scope="col">Club</th>
                  <th scope="col">État</th>
                  <th scope="col" aria-sort={ariaSort("count")}>
                    <button type="button" class="sort" onClick={() => sortBy("count")}>
                      En attente{arrow("count")}
                    </button>
                  </th>
                  <th scope="col">Priorité la plus haute</th>
                  <th scope="col" aria-sort={ariaSort("age")}>
                    <button type="button" class="sort" onClick={() => sortBy("age")}>
                      Plus ancienne{arrow("age")}
                    </button>
                  </th>
                  <th scope="col">Plus récente</th>
                  <th scope="col">Types</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((site) => (
                  <tr key={site.site_id} data-site-id={site.site_id}>
                    <th scope="row">
                      <a href={paths.site(site.site_id)}>{site.club_name}</a>
                    </th>
                    <td>
                      <SiteState online={site.site_status === "online"} />
                    </td>
                    <td class="number" data-pending-count={site.pending_count}>
                      {site.pending_count}
                    </td>
                    <td>
                      {priorityLabel(site.highest_priority)} ({site.highest_priority})
                    </td>
                    <td title={formatDate(site.oldest_command)}>{formatAge(site.oldest_command)}</td>
                    <td>{formatDate(site.newest_command)}</td>
                    <td>{site.command_types.join(", ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      ) : null}
    </main>
  );
}
