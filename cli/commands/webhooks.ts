// `opus webhooks ...`: this key's webhook endpoints and their delivery log, against a running edge
// (reading needs the "read" scope; changing anything, seeing secrets and replaying need "admin").
import { Option, type Command } from "commander";
import { deliveryStatuses, webhookEventTypes } from "../../shared/api/webhooks.ts";
import { clientFor, integerOption, printJson, runClient, withConnection, type ClientOptions } from "../client/command.ts";
import { UsageError } from "../client/usage-error.ts";

type Endpoint = { id: string; url: string; events: string[]; description: string | null; secret?: string; disabled_at: string | null; disabled_reason: string | null; created_at: string };
type Delivery = {
  id: string;
  event_type: string;
  entry_id: string;
  endpoint_id: string | null;
  url: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  attempt_log?: { attempt: number; at: string; status_code: number | null; latency_ms: number; error: string | null; next_attempt_at: string | null }[];
};

function eventList(value: string): string[] {
  const list = value.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((e) => !(webhookEventTypes as readonly string[]).includes(e));
  if (bad.length > 0 || list.length === 0) throw new UsageError(`unknown event ${bad.join(", ") || "(none)"} in --events; choose from ${webhookEventTypes.join(", ")}`);
  return list;
}

async function endpointTable(rows: Endpoint[]): Promise<string> {
  const { shortTime, table } = await import("../client/format.ts");
  return table(
    ["ID", "STATE", "EVENTS", "CREATED", "URL"],
    rows.map((e) => [e.id, e.disabled_at ? `disabled (${e.disabled_reason ?? "?"})` : "enabled", e.events.length === webhookEventTypes.length ? "all" : e.events.join(","), shortTime(e.created_at), e.url]),
  );
}

export function registerWebhooks(program: Command): void {
  const webhooks = program.command("webhooks").description("this key's webhook endpoints and delivery log, on a running edge");

  withConnection(webhooks.command("list").description("the endpoints (without their secrets)")).action((opts: ClientOptions) =>
    runClient(async () => {
      const { data } = await (await clientFor(opts)).json<{ data: Endpoint[] }>("GET", "/v1/webhooks");
      if (opts.json) return void printJson(data);
      if (data.length === 0) return void process.stderr.write("no webhook endpoints; add one with `opus webhooks add <url>`\n");
      process.stdout.write(`${await endpointTable(data)}\n`);
    }),
  );

  withConnection(
    webhooks
      .command("add")
      .description("add an endpoint; prints its signing secret, shown only now")
      .argument("<url>", "where the edge POSTs events (https://...)")
      .option("--events <list>", `comma-separated events (default: all of ${webhookEventTypes.join(", ")})`)
      .option("--description <text>", "what the endpoint is for"),
  ).action((url: string, opts: ClientOptions & { events?: string; description?: string }) =>
    runClient(async () => {
      const body = { url, ...(opts.events !== undefined ? { events: eventList(opts.events) } : {}), ...(opts.description !== undefined ? { description: opts.description } : {}) };
      const endpoint = await (await clientFor(opts)).json<Endpoint>("POST", "/v1/webhooks", { body });
      if (opts.json) return void printJson(endpoint);
      process.stdout.write(`${endpoint.secret}\n`);
      process.stderr.write(`added ${endpoint.id} for ${endpoint.url} (events: ${endpoint.events.join(", ")}); store the secret now, it is shown again only on rotation\n`);
    }),
  );

  withConnection(webhooks.command("remove").description("delete an endpoint; what was queued for it is canceled").argument("<id>", "endpoint id (whe_...)")).action(
    (id: string, opts: ClientOptions) =>
      runClient(async () => {
        const { segment } = await import("../client/http.ts");
        await (await clientFor(opts)).send("DELETE", `/v1/webhooks/${segment(id)}`);
        if (opts.json) printJson({ id, deleted: true });
        else process.stderr.write(`removed ${id}\n`);
      }),
  );

  withConnection(
    webhooks
      .command("rotate")
      .description("give an endpoint a new signing secret (or, with --url-secret, the secret of entries' own webhook_url); prints it")
      .argument("[id]", "endpoint id (whe_...)")
      .option("--url-secret", "rotate the secret that signs deliveries to entries' own webhook_url instead")
      .option("--overlap <seconds>", "how long the old secret keeps signing beside the new one (default: a day)", integerOption("--overlap", 0, 7 * 24 * 3600)),
  ).action((id: string | undefined, opts: ClientOptions & { urlSecret?: boolean; overlap?: number }) =>
    runClient(async () => {
      if (Boolean(id) === Boolean(opts.urlSecret)) throw new UsageError("name one endpoint id to rotate, or pass --url-secret (not both)");
      const { segment } = await import("../client/http.ts");
      const route = opts.urlSecret ? "/v1/webhooks/secret/rotate" : `/v1/webhooks/${segment(id!)}/rotate`;
      const answer = await (await clientFor(opts)).json<{ secret: string; previous_secret_expires_at: string | null }>("POST", route, {
        body: opts.overlap === undefined ? {} : { overlap_seconds: opts.overlap },
      });
      if (opts.json) return void printJson(answer);
      process.stdout.write(`${answer.secret}\n`);
      process.stderr.write(`new secret for ${id ?? "entries' webhook_url"}; the previous one signs too until ${answer.previous_secret_expires_at ?? "now (no overlap)"}\n`);
    }),
  );

  withConnection(
    webhooks
      .command("deliveries")
      .description("the delivery log, newest first (every page), or one delivery with each attempt")
      .argument("[id]", "a delivery id (whd_...): show it with its attempts")
      .option("--entry <id>", "only deliveries of this entry")
      .option("--endpoint <id>", "only deliveries to this endpoint")
      .addOption(new Option("--status <status>", "only deliveries in this status").choices(deliveryStatuses))
      .option("--limit <n>", "at most this many deliveries", integerOption("--limit", 1, 1_000_000)),
  ).action((id: string | undefined, opts: ClientOptions & { entry?: string; endpoint?: string; status?: string; limit?: number }) =>
    runClient(async () => {
      const client = await clientFor(opts);
      const { segment } = await import("../client/http.ts");
      const { shortTime, table } = await import("../client/format.ts");
      if (id) {
        const d = await client.json<Delivery>("GET", `/v1/webhooks/deliveries/${segment(id)}`);
        if (opts.json) return void printJson(d);
        const head = `${d.id}  ${d.event_type} of ${d.entry_id} to ${d.url}\n${d.status}, ${d.attempts} attempt(s)${d.next_attempt_at ? `, next at ${shortTime(d.next_attempt_at)}` : ""}`;
        const log = table(
          ["#", "AT", "STATUS", "LATENCY", "NEXT", "ERROR"],
          (d.attempt_log ?? []).map((a) => [String(a.attempt), shortTime(a.at), a.status_code === null ? "-" : String(a.status_code), `${a.latency_ms} ms`, shortTime(a.next_attempt_at), a.error ?? ""]),
        );
        return void process.stdout.write(`${head}\n${log}\n`);
      }
      const rows = await client.all<Delivery>("/v1/webhooks/deliveries", { entry_id: opts.entry, endpoint_id: opts.endpoint, status: opts.status }, opts.limit);
      if (opts.json) return void printJson(rows);
      if (rows.length === 0) return void process.stderr.write("no deliveries\n");
      process.stdout.write(
        `${table(
          ["ID", "EVENT", "ENTRY", "STATUS", "ATTEMPTS", "LAST", "CREATED", "URL"],
          rows.map((d) => [d.id, d.event_type, d.entry_id, d.status, String(d.attempts), d.last_status === null ? "-" : String(d.last_status), shortTime(d.created_at), d.url]),
        )}\n`,
      );
    }),
  );

  withConnection(webhooks.command("replay").description("send a delivery's event again (same webhook-id and body), as a new logged delivery").argument("<id>", "delivery id (whd_...)")).action(
    (id: string, opts: ClientOptions) =>
      runClient(async () => {
        const { segment } = await import("../client/http.ts");
        const replay = await (await clientFor(opts)).json<Delivery>("POST", `/v1/webhooks/deliveries/${segment(id)}/replay`);
        if (opts.json) return void printJson(replay);
        process.stdout.write(`${replay.id}\n`);
        process.stderr.write(`replaying ${id} as ${replay.id}; \`opus webhooks deliveries ${replay.id}\` shows how it went\n`);
      }),
  );

  withConnection(webhooks.command("enable").description("re-enable an endpoint that was disabled (after a 410)").argument("<id>", "endpoint id (whe_...)")).action(
    (id: string, opts: ClientOptions) =>
      runClient(async () => {
        const { segment } = await import("../client/http.ts");
        const endpoint = await (await clientFor(opts)).json<Endpoint>("POST", `/v1/webhooks/${segment(id)}/enable`);
        if (opts.json) printJson(endpoint);
        else process.stderr.write(`enabled ${endpoint.id}\n`);
      }),
  );
}
