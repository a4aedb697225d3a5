// The operations dashboard (/portal/ops, admin keys): the figures of GET /v1/ops drawn as small
// server-side SVG charts and tables, in the portal's layout. It refreshes itself with a meta
// refresh (no script needed, and none inline: the CSP forbids it).
import type { OpsSnapshot } from "../../shared/api/ops.ts";
import type { PortalAssets } from "../portal/assets/serve.ts";
import { Layout, type Viewer } from "../portal/components/layout.tsx";
import { BarChart, colorAt, HourlyChart, Meter, type Series } from "./charts.tsx";

export const opsRefreshSeconds = 15;

/** "42 s", "3.5 min", "2.1 h": a duration a person reads at a glance. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 86400 * 2) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

const bytes = (n: number) => (n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(n / 1024 ** 2)} MiB`);
const rate = (n: number | null | undefined) => (n === null || n === undefined ? "–" : n >= 100 ? n.toFixed(0) : n.toFixed(1));

const statusColors: Record<string, string> = {
  queued: "#6d6d7a",
  blueprint: "#2f6690",
  sections: "#0b57d0",
  validating: "#5b2a86",
  correcting: "#8a5a00",
  assembling: "#2f6690",
  finalizing: "#2f6690",
  revising: "#8a5a00",
  succeeded: "#2e7d32",
  needs_review: "#8a5a00",
  approved: "#2e7d32",
  rejected: "#7a0016",
  failed: "#b3261e",
  canceled: "#6d6d7a",
};
const outcomeColors: Record<string, string> = { succeeded: "#2e7d32", pending: "#2f6690", failed: "#b3261e", canceled: "#6d6d7a" };

const hourSeries: Series[] = [
  { key: "submitted", label: "submitted", color: "#6d6d7a" },
  { key: "finished", label: "finished", color: "#2e7d32" },
  { key: "failed", label: "failed", color: "#b3261e" },
  { key: "canceled", label: "canceled", color: "#c9a227" },
];

function hourValues(entered: Record<string, number>): Record<string, number> {
  return {
    submitted: entered.queued ?? 0,
    finished: (entered.succeeded ?? 0) + (entered.needs_review ?? 0),
    failed: entered.failed ?? 0,
    canceled: entered.canceled ?? 0,
  };
}

function Figure(props: { label: string; value: string; note?: string; alert?: boolean }) {
  return (
    <div class={`figure${props.alert ? " alert" : ""}`}>
      <span class="figure-label">{props.label}</span>
      <strong class="figure-value">{props.value}</strong>
      {props.note ? <span class="hint">{props.note}</span> : null}
    </div>
  );
}

function age(iso: string | null, now: number): string {
  if (!iso) return "never";
  return `${duration(Math.max(0, (now - Date.parse(iso)) / 1000))} ago`;
}

export function OpsPage(props: { assets: PortalAssets; viewer: Viewer; ops: OpsSnapshot }) {
  const { ops } = props;
  const now = Date.parse(ops.generated_at);
  const healthy = ops.nodes.filter((n) => n.healthy).length;
  const openBreakers = ops.breakers.filter((b) => b.state !== "closed").length;
  const statusBars = Object.entries(ops.entries.by_status)
    .sort(([, a], [, b]) => b - a)
    .map(([status, n]) => ({ label: status, value: n, color: statusColors[status] }));
  const stepBars = ops.step_times.map((s) => ({ label: s.status, value: s.mean_seconds, shown: duration(s.mean_seconds), color: statusColors[s.status] }));
  const ruleBars = ops.validation.by_rule.slice(0, 12).map((r, i) => ({ label: r.rule, value: r.issues, color: colorAt(i) }));
  const deliveryBars = Object.entries(ops.webhooks.deliveries_by_outcome).map(([outcome, n]) => ({ label: outcome, value: n, color: outcomeColors[outcome] }));
  const oldest = ops.queue.oldest_waiting;
  return (
    <Layout
      title="Operations"
      assets={props.assets}
      viewer={props.viewer}
      head={<meta http-equiv="refresh" content={String(opsRefreshSeconds)} />}
    >
      <h1>Operations</h1>
      <p class="hint">
        As of {ops.generated_at.replace("T", " ").slice(0, 19)} UTC; refreshes every {opsRefreshSeconds} s. Hourly figures, step times and throughput cover the last {ops.window_hours} h. The same figures as JSON:{" "}
        <code>GET /v1/ops</code>.
      </p>

      <section class="figures" aria-label="Summary">
        <Figure label="Entries" value={String(ops.entries.total)} />
        <Figure label="Queue depth" value={String(ops.queue.depth)} note="unfinished, on no node" />
        <Figure label="Oldest waiting" value={oldest ? duration(oldest.waiting_seconds) : "–"} note={oldest ? oldest.id : "nothing waits"} alert={!!oldest && oldest.waiting_seconds > 600} />
        <Figure label="GPU nodes healthy" value={`${healthy} of ${ops.nodes.length}`} alert={ops.nodes.length > 0 && healthy < ops.nodes.length} />
        <Figure label="Breakers open" value={String(openBreakers)} alert={openBreakers > 0} />
        <Figure label="Webhook endpoints disabled" value={`${ops.webhooks.endpoints.disabled} of ${ops.webhooks.endpoints.total}`} alert={ops.webhooks.endpoints.disabled > 0} />
      </section>

      <div class="ops-grid">
        <section class="card" aria-labelledby="status-h">
          <h2 id="status-h">Entries by status now</h2>
          <BarChart label="Entries by status now" bars={statusBars} />
        </section>
        <section class="card" aria-labelledby="steps-h">
          <h2 id="steps-h">Time in each step</h2>
          <BarChart label="Mean time in each step" bars={stepBars} />
          {ops.step_times.length > 0 ? (
            <table class="compact">
              <thead>
                <tr>
                  <th>Step</th>
                  <th class="num">Stints</th>
                  <th class="num">Median</th>
                  <th class="num">p90</th>
                  <th class="num">Longest</th>
                </tr>
              </thead>
              <tbody>
                {ops.step_times.map((s) => (
                  <tr>
                    <td>{s.status}</td>
                    <td class="num">{s.stints}</td>
                    <td class="num">{duration(s.p50_seconds)}</td>
                    <td class="num">{duration(s.p90_seconds)}</td>
                    <td class="num">{duration(s.max_seconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      </div>

      <section class="card ops-wide" aria-labelledby="hours-h">
        <h2 id="hours-h">Entries per hour</h2>
        <HourlyChart label={`Entries submitted, finished, failed and canceled per hour, last ${ops.window_hours} hours`} hours={ops.entries.per_hour.map((h) => ({ hour: h.hour, values: hourValues(h.entered) }))} series={hourSeries} />
      </section>

      <section class="card ops-wide" aria-labelledby="nodes-h">
        <h2 id="nodes-h">GPU nodes</h2>
        {ops.nodes.length === 0 ? (
          <p class="hint">No GPU node has registered, and no OPUS_GPU_NODE_URL is set.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Node</th>
                <th>Health</th>
                <th>Load (assigned of capacity)</th>
                <th>Model</th>
                <th>Last heartbeat</th>
                <th class="num">Tokens/s (node)</th>
                <th class="num">Tokens/s (entries)</th>
                <th class="num">Words/s (entries)</th>
                <th>VRAM</th>
              </tr>
            </thead>
            <tbody>
              {ops.nodes.map((n) => (
                <tr data-node={n.id}>
                  <td class="node-id">
                    <strong>{n.id}</strong>
                    <br />
                    <span class="hint">{n.mode}</span>
                  </td>
                  <td>
                    <span class={`badge ${n.healthy ? "good" : "bad"}`}>{n.healthy ? "healthy" : "stale"}</span>
                  </td>
                  <td>
                    <Meter label={`Load of ${n.id}`} used={n.assigned} total={n.capacity} /> {`${n.assigned} of ${n.capacity}`}
                    <br />
                    <span class="hint">{`${n.active} held, ${n.queued} requests queued`}</span>
                  </td>
                  <td>
                    {n.model ?? "–"}
                    {n.stats?.models?.length ? (
                      <>
                        <br />
                        <span class="hint">{n.stats.models.map((m) => `${m.id}: ${m.state}`).join(", ")}</span>
                      </>
                    ) : null}
                  </td>
                  <td>{n.mode === "static" ? "none (called by the edge)" : age(n.last_heartbeat_at, now)}</td>
                  <td class="num">{rate(n.stats?.tokens_per_second)}</td>
                  <td class="num">{rate(n.throughput.tokens_per_second)}</td>
                  <td class="num">
                    {rate(n.throughput.words_per_second)}
                    <br />
                    <span class="hint">{`${n.throughput.entries} entr${n.throughput.entries === 1 ? "y" : "ies"}`}</span>
                  </td>
                  <td>{n.stats?.vram ? `${bytes(n.stats.vram.used_bytes)} of ${bytes(n.stats.vram.total_bytes)}` : "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <div class="ops-grid">
        <section class="card" aria-labelledby="breakers-h">
          <h2 id="breakers-h">Circuit breakers</h2>
          {ops.breakers.length === 0 ? (
            <p class="hint">No nodes, no breakers.</p>
          ) : (
            <table class="compact">
              <thead>
                <tr>
                  <th>Node</th>
                  <th>State</th>
                  <th class="num">Failures</th>
                  <th>Last error</th>
                </tr>
              </thead>
              <tbody>
                {ops.breakers.map((b) => (
                  <tr data-breaker={b.node}>
                    <td>{b.node}</td>
                    <td>
                      <span class={`badge ${b.state === "closed" ? "good" : "bad"}`}>{b.state.replace("_", "-")}</span>
                      {b.opened_at ? <span class="hint"> since {age(b.opened_at, now)}</span> : null}
                    </td>
                    <td class="num">{b.failures}</td>
                    <td>{b.last_error ?? "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section class="card" aria-labelledby="webhooks-h">
          <h2 id="webhooks-h">Webhook deliveries</h2>
          <BarChart label="Webhook deliveries by outcome" bars={deliveryBars} />
          <h3>Endpoints disabled</h3>
          {ops.webhooks.endpoints.disabled_list.length === 0 ? (
            <p class="hint">None.</p>
          ) : (
            <ul class="plain">
              {ops.webhooks.endpoints.disabled_list.map((e) => (
                <li>
                  <code>{e.url}</code> <span class="hint">({e.reason ?? "disabled"}, {age(e.disabled_at, now)})</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <section class="card ops-wide" aria-labelledby="rules-h">
        <h2 id="rules-h">Validation failures by rule</h2>
        <p class="hint">Issues the edge found in the current text of {ops.validation.entries_checked} entr{ops.validation.entries_checked === 1 ? "y" : "ies"}.</p>
        <BarChart label="Validation issues by rule" bars={ruleBars} width={680} labelWidth={220} />
        {ops.validation.by_rule.length > 0 ? (
          <table class="compact">
            <thead>
              <tr>
                <th>Rule</th>
                <th class="num">Issues</th>
                <th class="num">Entries</th>
                <th>By severity</th>
              </tr>
            </thead>
            <tbody>
              {ops.validation.by_rule.map((r) => (
                <tr>
                  <td>
                    <code>{r.rule}</code>
                  </td>
                  <td class="num">{r.issues}</td>
                  <td class="num">{r.entries}</td>
                  <td>
                    {Object.entries(r.by_severity)
                      .map(([s, n]) => `${s} ${n}`)
                      .join(", ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </Layout>
  );
}
