// Polls until a condition holds, for tests that wait on real servers, processes and models.

/**
 * Calls `probe` every `everyMs` until it gives a value (anything but undefined or false) and returns
 * that value; throws, naming `what`, after `timeoutMs`.
 */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000, what = "condition", everyMs = 25): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
