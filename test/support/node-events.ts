// Node events as a GPU node sends them, for tests that play the node's part over the real protocol.
import type { NodeEvent } from "../../shared/api/node-protocol.ts";

type Finished = Extract<NodeEvent, { type: "finished" }>;

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
