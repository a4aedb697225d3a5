// Real Chromium for browser tests: Debian's /usr/bin/chromium (`apt-get install chromium`; .ci/run
// installs it) driven by playwright-core, headless, with a fresh profile folder every time and
// nothing that reaches the network on its own.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const chromiumPath = process.env.OPUS_CHROMIUM ?? "/usr/bin/chromium";

const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export type TestBrowser = { context: BrowserContext; close: () => Promise<void> };

/** A headless Chromium with a fresh --user-data-dir (playwright passes the folder as that flag). */
export async function launchBrowser(opts: { javaScript?: boolean } = {}): Promise<TestBrowser> {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium is missing at ${chromiumPath}: install it with \`apt-get install -y chromium\` (or set OPUS_CHROMIUM)`);
  const profile = mkdtempSync(path.join(os.tmpdir(), "opus-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args,
    viewport: { width: 1360, height: 900 },
    javaScriptEnabled: opts.javaScript ?? true,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
