// The real Worker bundle under Miniflare, as the tests start it (test/support/worker.ts), with the
// Hrana bridge (the stand-in for Turso) in a child process of its own: a benchmark's load generator
// must not share an event loop with the Worker's database. Outbound requests go straight to the
// network (stripCfConnectingIp: false; see TestWorkerOptions).
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startTestWorker, type DbBridge, type TestWorker } from "../../test/support/worker.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

async function startBridgeProcess(dbFile: string): Promise<DbBridge> {
  const bridge = spawn(process.execPath, ["--import", "tsx", path.join(here, "hrana-bridge-process.ts"), dbFile], { stdio: ["pipe", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: bridge.stdout! }).on("line", (line) => (line.startsWith("listening ") ? resolve(line.slice("listening ".length)) : undefined));
    bridge.on("exit", (code) => reject(new Error(`Hrana bridge exited with ${code}`)));
  });
  return {
    url,
    close: async () => {
      const exited = new Promise((resolve) => bridge.once("exit", resolve));
      bridge.stdin!.end();
      await exited;
    },
  };
}

export function startBridgedWorker(bindings: Record<string, string>): Promise<TestWorker> {
  return startTestWorker(bindings, { startBridge: startBridgeProcess, stripCfConnectingIp: false });
}
