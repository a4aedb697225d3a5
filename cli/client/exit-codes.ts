// The exit statuses of the `opus` client commands (documented in the README), for scripts.
export const exitCodes = {
  /** The command did what it was asked; for `watch`, the entry succeeded. */
  ok: 0,
  /** The request failed: edge unreachable, key refused, unknown id, rate limited, edge error. */
  failure: 1,
  /** Bad arguments or no edge configured (commander's usage errors exit 2 too). */
  usage: 2,
  /** `watch`: the entry ended failed or canceled. */
  entryFailed: 3,
  /** `watch`: the entry ended in needs_review (written, but held for a human reviewer). */
  needsReview: 4,
  /** Interrupted (Ctrl-C) before the entry ended. */
  interrupted: 130,
} as const;
