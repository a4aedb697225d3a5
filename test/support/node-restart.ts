// The kill-and-restart harness of the fault tests: a real GPU node, as the `opus serve gpu-node`
// process or in this process, that a test stops in the middle of an entry and starts again on the
// same folder (database, checkpoints) and port, to see what the restarted node makes of the entry.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openNodeDb, type NodeDb } from "../../gpu-node/db/client.ts";
import type { RunningGpuNode } from "../../gpu-node/main.ts";
import { CheckpointStore } from "../../gpu-node/pipeline/checkpoints.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { client, newKey, startEdgeTarget, type EdgeTarget } from "./edge-targets.ts";
import { startTestNode, testNodeEnv } from "./gpu-node.ts";
import { freePort } from "./net.ts";
import { repoRoot } from "./paths.ts";

export type ServedProcess = ChildProcess & { output: () => string };

/** Starts `opus serve <what>` and resolves once it says it is listening; `output()` is its stderr so far. */
export function serve(what: "edge" | "gpu-node", env: Record<string, string>, port: number): Promise<ServedProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "bin/opus.js"), "serve", what, "--port", String(port)], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    const served = Object.assign(child, { output: () => err });
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes("listening")) resolve(served);
    });
    child.on("exit", (code) => reject(new Error(`${what} exited with ${code}: ${err}`)));
  });
}

/** Resolves once the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));
}

/** Kills a process without warning (SIGKILL: no cancel, no clean-up) and waits until it has exited. */
export async function killHard(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill("SIGKILL");
  await gone;
}

/** A GPU node process on one database (env's OPUS_NODE_DB) and port, that a test kills and starts again. */
export class NodeProcess {
  private served: ServedProcess | undefined;
  private store: Promise<{ db: NodeDb; checkpoints: CheckpointStore }> | undefined;

  constructor(
    private readonly env: Record<string, string>,
    private readonly port = 0,
  ) {}

  /** Starts the node; resolves once it listens. */
  async start(): Promise<void> {
    if (this.served) throw new Error("the node process is already running");
    this.served = await serve("gpu-node", this.env, this.port);
  }

  /** Kills the node (SIGKILL) and waits until it has exited. */
  async kill(): Promise<void> {
    const served = this.served;
    this.served = undefined;
    await killHard(served);
  }

  /** What the running node has written to stderr. */
  output(): string {
    return this.served?.output() ?? "";
  }

  /** The node's checkpoints, read from its database by the test (while the node runs or after it was killed). */
  async checkpoints(): Promise<CheckpointStore> {
    this.store ??= openNodeDb(this.env.OPUS_NODE_DB!).then((db) => ({ db, checkpoints: new CheckpointStore(db) }));
    return (await this.store).checkpoints;
  }

  /** Kills the node if it runs, and closes the test's connection to its database. */
  async close(): Promise<void> {
    await this.kill();
    const store = this.store;
    this.store = undefined;
    if (store) (await store).db.$client.close();
  }
}

/** A GPU node in this process on one folder and port, stopped and started again (with other settings if need be). */
export class InProcessNode {
  private running: (RunningGpuNode & { dir: string; logs: string[] }) | undefined;

  constructor(
    private readonly secret: string,
    private readonly env: Record<string, string>,
    readonly dir = mkdtempSync(path.join(os.tmpdir(), "opus-node-")),
    private readonly port = 0,
  ) {}

  /** Starts the node with its settings and `extra` over them. */
  async start(extra: Record<string, string> = {}): Promise<RunningGpuNode & { logs: string[] }> {
    if (this.running) throw new Error("the node is already running");
    this.running = await startTestNode(this.secret, { ...this.env, ...extra }, this.dir, this.port);
    return this.running;
  }

  /** Stops the node if it runs. */
  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.close();
  }
}

/** An edge's Node entry and the GPU node process it calls (see startEdgeWithNodeProcess). */
export type EdgeWithNodeProcess = { edge: EdgeTarget; node: NodeProcess; api: ReturnType<typeof client>; dir: string; close: () => Promise<void> };

/**
 * The edge's Node entry and a GPU node process that it calls (static mode) at a port chosen
 * beforehand, reporting only to that edge; the node on the test model with `nodeEnv` over its
 * settings, its files in a fresh folder. Resolves once the node listens; `api` is a client of the
 * edge with a new key named `keyName`.
 */
export async function startEdgeWithNodeProcess(nodeEnv: Record<string, string> = {}, keyName = "test"): Promise<EdgeWithNodeProcess> {
  const secret = newSigningSecret();
  const dir = mkdtempSync(path.join(os.tmpdir(), "opus-node-process-"));
  const port = await freePort();
  const edge = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret, OPUS_GPU_NODE_URL: `http://127.0.0.1:${port}` });
  const node = new NodeProcess({ ...testNodeEnv(dir, nodeEnv), OPUS_NODE_SECRET: secret, OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static" }, port);
  const close = async () => {
    await node.close();
    await edge.close();
  };
  try {
    await node.start();
    return { edge, node, api: client(edge, await newKey(edge, keyName)), dir, close };
  } catch (error) {
    await close();
    throw error;
  }
}
