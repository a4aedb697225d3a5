// `opus serve edge|gpu-node`: run either half on its own (the edge here is the Node entry; on
// Cloudflare it is edge/worker.ts).
import { InvalidArgumentError, type Command } from "commander";
import { defaultDbUrl, defaultNodeSecret } from "../defaults.ts";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("expected a port number (0-65535)");
  return n;
}

function waitForSignal(close: () => Promise<void>): void {
  const stop = () => {
    // Closing releases everything it can; what it could not release is said, and the exit is 1.
    void close().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`${error.message}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

export function registerServe(program: Command): void {
  const serve = program.command("serve").description("run the edge API or a GPU node");
  serve
    .command("edge")
    .description("the edge API on Node with a local libSQL file (or OPUS_DB_URL)")
    .option("--port <port>", "port to listen on", port, Number(process.env.PORT ?? 8787))
    .option("--host <host>", "address to bind", "127.0.0.1")
    .action(async (opts: { port: number; host: string }) => {
      const { startEdge } = await import("../../edge/node.ts");
      const edge = await startEdge({ ...process.env, OPUS_DB_URL: defaultDbUrl(), OPUS_NODE_SECRET: defaultNodeSecret() }, { port: opts.port, hostname: opts.host });
      process.stderr.write(`edge listening on ${edge.url} (database ${edge.config.dbUrl})\n`);
      waitForSignal(edge.close);
    });
  serve
    .command("gpu-node")
    .description("a GPU node serving the model in OPUS_MODEL")
    .option("--port <port>", "port to listen on (default: server.port in the config, 8788)", port)
    .option("--host <host>", "address to bind (default: server.host in the config, 127.0.0.1)")
    .option("--config <file>", "configuration file (default: OPUS_CONFIG or ./opus.config.json)")
    .action(async (opts: { port?: number; host?: string; config?: string }) => {
      const { startGpuNode } = await import("../../gpu-node/main.ts");
      const node = await startGpuNode({ secret: defaultNodeSecret(), port: opts.port, hostname: opts.host, configFile: opts.config });
      process.stderr.write(`gpu node listening on ${node.url}\n`);
      waitForSignal(node.close);
    });
}
