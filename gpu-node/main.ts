// Starts a GPU node on Node: the model, the job runner and the signed HTTP API.
import os from "node:os";
import { existsSync } from "node:fs";
import { serve, type ServerType } from "@hono/node-server";
import { assertSigningSecret } from "../shared/api/signing.ts";
import { JobRunner } from "./jobs/runner.ts";
import { createDirectGenerator } from "./pipeline/direct-generator.ts";
import { createNodeApp } from "./server.ts";

export type GpuNodeOptions = { model?: string; secret?: string; port?: number; hostname?: string; threads?: number; sequences?: number; log?: (line: string) => void };

export type RunningGpuNode = { url: string; port: number; runner: JobRunner; close: () => Promise<void> };

export function requireModelPath(model: string | undefined): string {
  if (!model) {
    throw new Error(
      "No model configured: set OPUS_MODEL to a GGUF file (OPUS_MODEL=/models/qwen2.5-7b-instruct-q4_k_m.gguf) " +
        "or a Hugging Face URI (OPUS_MODEL=hf:<user>/<repo>/<file>.gguf); see README.md, Configuration.",
    );
  }
  if (!model.startsWith("hf:") && !existsSync(model)) {
    throw new Error(`OPUS_MODEL points to ${model}, which does not exist: give the path of a GGUF file or an hf: URI`);
  }
  return model;
}

export async function startGpuNode(opts: GpuNodeOptions): Promise<RunningGpuNode> {
  const secret = assertSigningSecret(opts.secret, "OPUS_NODE_SECRET");
  const modelPath = requireModelPath(opts.model);
  const generator = await createDirectGenerator({
    modelPath,
    threads: opts.threads ?? Math.max(1, Math.floor(os.availableParallelism() / 2)),
    sequences: opts.sequences ?? 4,
  });
  const runner = new JobRunner({ generator, secret, log: opts.log ?? ((l) => console.error(l)) });
  const app = createNodeApp({ secret, runner });
  const hostname = opts.hostname ?? "127.0.0.1";
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 8788, hostname }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (opts.port ?? 8788);
  return {
    url: `http://${hostname}:${port}`,
    port,
    runner,
    close: async () => {
      await runner.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await generator.close();
    },
  };
}
