// A reviewer's revision as a GPU node receives it, inside the entry's assignment
// (EntryAssignment.revision): the revision it starts from, whole (any node can take it: none needs
// the entry's checkpoints), the sections to rewrite with the reviewer's instructions, and the number
// of the revision it produces. The node rewrites only those sections, keeps every other byte,
// validates and scores the whole entry again, and reports `finished` with status needs_review.
import { z } from "zod";
import type { EntrySection } from "../api/node-protocol.ts";
import { SectionRequest } from "./decisions.ts";

// EntrySection's shape, spelled here because node-protocol.ts imports this file (a value import
// back would be a cycle); the check below keeps the two the same.
const BaseSection = z.object({ title: z.string(), markdown: z.string(), words: z.number().int().min(0) });
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const sameShape: Same<z.infer<typeof BaseSection>, EntrySection> = true;
void sameShape;

export const RevisionAssignment = z.object({
  /** The revision the node writes (the edge's next number). */
  number: z.number().int().min(2),
  /** The revision it starts from. */
  base: z.number().int().min(1),
  title: z.string().min(1).max(300),
  /** The base revision's sections, as stored: the chosen ones are rewritten, the rest returned as they are. */
  sections: z.array(BaseSection).min(1).max(64),
  /** The base revision's blueprint (metadata.plan), when it has one: each section's goal and key points. */
  plan: z
    .array(
      z.object({
        numeral: z.string(),
        title: z.string(),
        goal: z.string(),
        key_points: z.array(z.string()),
        sources: z.array(z.string()).default([]),
        word_target: z.number().int().min(0),
      }),
    )
    .optional(),
  /** The seed the entry was written with (metadata.seed): the revision derives its own from it. */
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  /** The sections to rewrite (0-based, each once) and the reviewer's instructions for each. */
  requests: z.array(SectionRequest).min(1).max(64),
});
export type RevisionAssignment = z.infer<typeof RevisionAssignment>;
