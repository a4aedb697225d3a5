// The review queue: a filter form (GET, so every view has its own URL), a table whose column headers
// sort it, and page links.
import { tiers } from "../../../shared/api/tier.ts";
import type { PortalAssets } from "../assets/serve.ts";
import { Layout, type Viewer } from "../components/layout.tsx";
import { defaultDir, queueStatuses, worstFilters, type QueueQuery, type QueueRow } from "../queue.ts";
import { age } from "../format.ts";

export type QueuePageProps = {
  assets: PortalAssets;
  viewer: Viewer;
  query: QueueQuery;
  rows: QueueRow[];
  total: number;
  pages: number;
  categories: string[];
  now: number;
};

const statusLabel: Record<string, string> = { needs_review: "Needs review", succeeded: "Passed the gate", revising: "Being revised", approved: "Approved", rejected: "Rejected" };

/** The queue URL for `query` with `change` applied (page 1 unless the change names one). */
export function queueHref(query: QueueQuery, change: Partial<QueueQuery>): string {
  const next = { ...query, page: 1, ...change };
  const params = new URLSearchParams();
  if (next.status !== "needs_review") params.set("status", next.status);
  if (next.tier) params.set("tier", next.tier);
  if (next.category) params.set("category", next.category);
  if (next.worst) params.set("worst", next.worst);
  if (next.q) params.set("q", next.q);
  if (next.sort !== "age") params.set("sort", next.sort);
  if (next.dir && next.dir !== defaultDir[next.sort]) params.set("dir", next.dir);
  if (next.page > 1) params.set("page", String(next.page));
  const text = params.toString();
  return `/portal/queue${text ? `?${text}` : ""}`;
}

function SortHeader(props: { query: QueueQuery; sort: QueueQuery["sort"]; label: string; num?: boolean }) {
  const { query, sort } = props;
  const active = query.sort === sort;
  const dir = query.dir ?? defaultDir[sort];
  const nextDir = active ? (dir === "asc" ? "desc" : "asc") : defaultDir[sort];
  const ariaSort = active ? (sort === "age" ? (dir === "desc" ? "descending" : "ascending") : dir === "asc" ? "ascending" : "descending") : undefined;
  return (
    <th scope="col" class={props.num ? "num" : undefined} aria-sort={ariaSort}>
      <a href={queueHref(query, { sort, dir: nextDir })}>
        {props.label}
        {active ? <span aria-hidden="true">{ariaSort === "ascending" ? " ▲" : " ▼"}</span> : null}
        <span class="vh">{active ? `, sorted; activate to reverse` : `, activate to sort`}</span>
      </a>
    </th>
  );
}

export function QueuePage(props: QueuePageProps) {
  const { query, rows } = props;
  const first = (Math.min(query.page, props.pages) - 1) * 25 + 1;
  return (
    <Layout title="Review queue" assets={props.assets} viewer={props.viewer}>
      <h1>Review queue</h1>
      <form class="filters" method="get" action="/portal/queue" role="search" aria-label="Filter the queue">
        <div>
          <label for="f-status">Status</label>
          <select id="f-status" name="status">
            {queueStatuses.map((s) => (
              <option value={s} selected={query.status === s}>
                {statusLabel[s]}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-tier">Tier</label>
          <select id="f-tier" name="tier">
            <option value="">Any</option>
            {tiers.map((t) => (
              <option value={t} selected={query.tier === t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-category">Category</label>
          <select id="f-category" name="category">
            <option value="">Any</option>
            {props.categories.map((c) => (
              <option value={c} selected={query.category?.toLowerCase() === c.toLowerCase()}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-worst">Worst issue</label>
          <select id="f-worst" name="worst">
            <option value="">Any</option>
            {worstFilters.map((w) => (
              <option value={w} selected={query.worst === w}>
                {w === "none" ? "No issues" : w}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-q">Subject</label>
          <input type="search" id="f-q" name="q" value={query.q ?? ""} />
        </div>
        <input type="hidden" name="sort" value={query.sort} />
        {query.dir ? <input type="hidden" name="dir" value={query.dir} /> : null}
        <button type="submit">Filter</button>
        <a href="/portal/queue">Clear</a>
      </form>
      <p id="queue-count" role="status">
        {props.total === 0 ? "No entries match." : `${props.total} ${props.total === 1 ? "entry" : "entries"}; showing ${first} to ${first + rows.length - 1}.`}
      </p>
      {rows.length > 0 ? (
        <table aria-describedby="queue-count">
          <caption class="vh">Entries with status {statusLabel[query.status]}; column headers sort the table</caption>
          <thead>
            <tr>
              <SortHeader query={query} sort="subject" label="Subject" />
              <SortHeader query={query} sort="tier" label="Tier" />
              <SortHeader query={query} sort="category" label="Category" />
              <SortHeader query={query} sort="score" label="Score" num />
              <SortHeader query={query} sort="worst" label="Worst issue" />
              <SortHeader query={query} sort="age" label="Age" num />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr>
                <td>
                  <a href={`/portal/entries/${row.id}`}>{row.subject}</a>
                  <div class="hint">revision {row.revision}</div>
                </td>
                <td>{row.tier}</td>
                <td>{row.category}</td>
                <td class="num">{row.score === null ? "–" : row.score.toFixed(3)}</td>
                <td>
                  {row.worstSeverity ? (
                    <>
                      <span class={`sev sev-${row.worstSeverity}`}>{row.worstSeverity}</span> <code>{row.worstRule ?? ""}</code>
                      {row.worstMessage ? <div class="hint">{row.worstMessage}</div> : null}
                      <div class="hint">
                        {row.issueCount} {row.issueCount === 1 ? "issue" : "issues"} in all
                      </div>
                    </>
                  ) : (
                    "none"
                  )}
                </td>
                <td class="num">
                  <time datetime={new Date(row.since).toISOString()}>{age(props.now - row.since)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="empty">Nothing is waiting here.</p>
      )}
      {props.pages > 1 ? (
        <nav class="pager" aria-label="Pages">
          {query.page > 1 ? (
            <a href={queueHref(query, { page: query.page - 1 })} rel="prev">
              Previous page
            </a>
          ) : null}
          <span>
            Page {Math.min(query.page, props.pages)} of {props.pages}
          </span>
          {query.page < props.pages ? (
            <a href={queueHref(query, { page: query.page + 1 })} rel="next">
              Next page
            </a>
          ) : null}
        </nav>
      ) : null}
    </Layout>
  );
}
