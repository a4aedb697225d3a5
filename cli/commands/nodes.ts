// `opus nodes`: the GPU nodes a running edge knows, with health, load and circuit breaker (an API
// key with the "admin" scope).
import type { Command } from "commander";
import { clientFor, printJson, runClient, withConnection, type ClientOptions } from "../client/command.ts";

type NodeView = {
  id: string;
  mode: string;
  url: string | null;
  healthy: boolean;
  capacity: number;
  active: number;
  assigned?: number;
  last_heartbeat_at: string | null;
  breaker: { state: string; failures: number; last_error: string | null };
};

export function registerNodes(program: Command): void {
  withConnection(program.command("nodes").description("the GPU nodes of a running edge: mode, health, load, breaker (admin key)")).action((opts: ClientOptions) =>
    runClient(async () => {
      const { data } = await (await clientFor(opts)).json<{ data: NodeView[] }>("GET", "/v1/nodes");
      if (opts.json) return void printJson(data);
      if (data.length === 0) return void process.stderr.write("no GPU nodes: start one with `opus serve gpu-node` (see the README, Deploy)\n");
      const { shortTime, table } = await import("../client/format.ts");
      const rows = data.map((n) => [
        n.id,
        n.mode,
        n.healthy ? "healthy" : "unhealthy",
        `${n.assigned ?? n.active}/${n.capacity}`,
        n.breaker.state + (n.breaker.failures ? ` (${n.breaker.failures} failures)` : ""),
        shortTime(n.last_heartbeat_at),
        n.url ?? "(pull)",
      ]);
      process.stdout.write(`${table(["ID", "MODE", "HEALTH", "LOAD", "BREAKER", "LAST HEARTBEAT", "URL"], rows)}\n`);
    }),
  );
}
