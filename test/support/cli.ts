// Runs the real `opus` CLI (bin/opus.js) as a user would, in a directory of the test's choosing.
import { spawn } from "node:child_process";
import path from "node:path";
import { entryHangGuardMs } from "./bounds.ts";
import { repoRoot } from "./paths.ts";

export type CliResult = { code: number | null; stdout: string; stderr: string };

export function runCli(
  args: string[],
  opts: {
    cwd: string;
    env?: Record<string, string | undefined>;
    timeoutMs?: number;
    /** Stop the CLI (SIGTERM) once its stderr matches. */
    stopWhen?: RegExp;
    /** Written to the CLI's stdin, which is then closed. */
    input?: string;
    /** Called with all of stderr so far whenever more arrives. */
    onStderr?: (stderr: string) => void;
  },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [path.join(repoRoot, "bin/opus.js"), ...args], { cwd: opts.cwd, env: env as NodeJS.ProcessEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      opts.onStderr?.(stderr);
      if (opts.stopWhen?.test(stderr)) child.kill("SIGTERM");
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    // Only a hang guard: a CLI start alone took a minute on the busy CI machine.
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? entryHangGuardMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
