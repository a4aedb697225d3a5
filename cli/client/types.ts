// What the client reads from the edge: the public status of an entry and the list envelope, as the
// routes under edge/routes/ answer them. Only the fields the client uses are named; the rest passes
// through to --json untouched.
import type { EntryStatus } from "../../shared/api/entry.ts";

export type EntryStatusView = {
  id: string;
  subject: string;
  tier: string;
  category: string;
  status: EntryStatus;
  step: string | null;
  progress: number;
  words: number;
  sections: { done: number; total: number };
  eta_seconds: number | null;
  error: { code: string; message: string } | null;
  created_at: string;
  updated_at: string;
  [field: string]: unknown;
};

/** Every list answer: the items under `data`, and `next_cursor` (null on the last page) where it pages. */
export type ListPage<T> = { data: T[]; next_cursor?: string | null };
