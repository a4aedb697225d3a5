// Node events as a GPU node sends them, for tests that play the node's part over the real protocol.
import type { NodeEvent } from "../../shared/api/node-protocol.ts";

type Finished = Extract<NodeEvent, { type: "finished" }>;

/** A one-section entry whose text passes the edge's checks: what a succeeded entry carries. */
export const passingEntry: Finished["entry"] = {
  title: "Theosis",
  markdown: "# Theosis\n\n## I. Union\n\n\u00a0\u00a0\u00a0\u00a0God became man so that man might become god.\n",
  sections: [{ title: "I. Union", markdown: "## I. Union\n\n\u00a0\u00a0\u00a0\u00a0God became man so that man might become god.", words: 9 }],
  words: 12,
  metadata: { seed: 1, prompt_version: "test" },
};

/** A finished event for a one-section entry; `fields` override any part of it. */
export function finishedEvent(seq: number, fields: Partial<Omit<Finished, "type" | "seq">> = {}): NodeEvent {
  return {
    type: "finished",
    seq,
    status: "needs_review",
    step: "needs review",
    progress: 1,
    words: 9,
    sections: { done: 1, total: 1 },
    tokens: 20,
    eta_seconds: 0,
    entry: { title: "Theosis", markdown: "# Theosis\n", sections: [{ title: "I. Union", markdown: "## I. Union", words: 9 }], words: 9, metadata: {} },
    ...fields,
  };
}
