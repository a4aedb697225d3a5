/**
 * Like Promise.all, but waits for every branch to stop before rethrowing, so that on cancellation
 * no generation is still running (and holding a sequence) when the pipeline reports it stopped.
 */
export async function allSettledOrThrow<T>(work: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
