// The generation API's request and result types, and their validation: a bad field is refused with
// an InvalidRequestError naming the field, the value and what is allowed.
import { z } from "zod";
import { tiers } from "../../shared/api/tier.ts";
import type { NodeConfig } from "./config/schema.ts";
import { formatPath, formatValue } from "./config/errors.ts";
import { InvalidRequestError } from "./errors.ts";
import type { ChatMessage, StopReason } from "./generation.ts";
import type { Priority } from "./scheduler.ts";

export type CompletionRequest = {
  /** Model id or role; default "generator". */
  model?: string;
  prompt: string;
  maxTokens: number;
  /** Default generation.temperature; 0 is greedy. */
  temperature?: number;
  topP?: number;
  /** A fixed seed makes the answer reproducible and cacheable. */
  seed?: number;
  stop?: string[];
  /** A JSON schema the output must follow (compiled to a grammar). */
  jsonSchema?: object;
  priority?: Priority;
  signal?: AbortSignal;
  /** Streaming: called with each chunk of generated text. */
  onToken?: (text: string) => void;
  /** Whole request budget, queue wait included (generation only when `patient`). Default generation.requestTimeoutMs. */
  timeoutMs?: number;
  /**
   * The request is part of an accepted entry: it waits for a sequence however long (queue.maxWaitMs
   * and queue.maxWaiting are for callers that can retry later), and its timeout starts with its sequence.
   */
  patient?: boolean;
};

export type ChatRequest = Omit<CompletionRequest, "prompt"> & { messages: ChatMessage[] };

export type CompletionResult = {
  text: string;
  tokens: number;
  cached: boolean;
  stopReason: StopReason;
  /** From the call to the first generated token (queue wait and prompt evaluation included); durationMs when none was generated. */
  timeToFirstTokenMs: number;
  durationMs: number;
  /** The model that answered (its id, even when the request named a role). */
  model: string;
  /** The parsed output, when jsonSchema was given and the output is complete valid JSON of that schema. */
  json?: unknown;
  /** Time spent waiting for a sequence (model load included). */
  queueMs: number;
};

const positiveInt = z.number({ error: "expected a positive integer" }).int({ error: "expected a positive integer" }).positive({ error: "expected a positive integer" });

const common = {
  model: z.string({ error: "expected a model id or role" }).min(1, { error: "expected a model id or role" }).optional(),
  maxTokens: positiveInt,
  temperature: z.number({ error: "expected a number from 0 to 2" }).min(0, { error: "expected a number from 0 to 2" }).max(2, { error: "expected a number from 0 to 2" }).optional(),
  topP: z.number({ error: "expected a number above 0, at most 1" }).gt(0, { error: "expected a number above 0, at most 1" }).lte(1, { error: "expected a number above 0, at most 1" }).optional(),
  seed: z
    .number({ error: "expected an integer from 0 to 4294967295" })
    .int({ error: "expected an integer from 0 to 4294967295" })
    .min(0, { error: "expected an integer from 0 to 4294967295" })
    .max(2 ** 32 - 1, { error: "expected an integer from 0 to 4294967295" })
    .optional(),
  stop: z.array(z.string().min(1, { error: "expected a non-empty string" }), { error: "expected a list of strings" }).max(32, { error: "at most 32 stop sequences" }).optional(),
  jsonSchema: z.record(z.string(), z.unknown(), { error: "expected a JSON schema object" }).optional(),
  priority: z.enum(tiers, { error: 'expected "S", "A" or "B"' }).optional(),
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal, { error: "expected an AbortSignal" }).optional(),
  onToken: z.custom<(text: string) => void>((v) => typeof v === "function", { error: "expected a function" }).optional(),
  timeoutMs: positiveInt.optional(),
  patient: z.boolean({ error: "expected true or false" }).optional(),
};

const completionSchema = z.strictObject({ ...common, prompt: z.string({ error: "expected a string" }) });
const chatSchema = z.strictObject({
  ...common,
  messages: z
    .array(
      z.strictObject({
        role: z.enum(["system", "user", "assistant"], { error: 'expected "system", "user" or "assistant"' }),
        content: z.string({ error: "expected a string" }),
      }),
      { error: "expected a list of messages" },
    )
    .min(1, { error: "expected at least one message" }),
});

function fail(error: z.ZodError, input: unknown): never {
  const lines = error.issues.map((issue) => {
    const at = formatPath(issue.path);
    if (issue.code === "unrecognized_keys") return `${issue.keys.join(", ")}: unknown field${issue.keys.length > 1 ? "s" : ""}`;
    let value: unknown = input;
    for (const key of issue.path) value = value === null || typeof value !== "object" ? undefined : (value as Record<PropertyKey, unknown>)[key];
    const shown = value === undefined ? " is missing" : typeof value === "function" || value instanceof AbortSignal ? "" : ` = ${formatValue(value)}`;
    return `${at || "request"}${shown}: ${issue.message.replace(/^Invalid input: /, "")}`;
  });
  throw new InvalidRequestError(lines.join("; "));
}

function checkLimits(request: { maxTokens: number }, config: NodeConfig): void {
  if (request.maxTokens > config.generation.maxTokens) {
    throw new InvalidRequestError(`maxTokens = ${request.maxTokens}: at most ${config.generation.maxTokens} (generation.maxTokens)`);
  }
}

export function validateCompletionRequest(request: unknown, config: NodeConfig): CompletionRequest {
  const parsed = completionSchema.safeParse(request);
  if (!parsed.success) fail(parsed.error, request);
  checkLimits(parsed.data, config);
  return parsed.data as CompletionRequest;
}

export function validateChatRequest(request: unknown, config: NodeConfig): ChatRequest {
  const parsed = chatSchema.safeParse(request);
  if (!parsed.success) fail(parsed.error, request);
  checkLimits(parsed.data, config);
  // The last message is the user's turn, or the start of the assistant's reply to it, which the
  // model continues (a prefilled answer).
  const messages = parsed.data.messages;
  const last = messages[messages.length - 1]!;
  const answered = last.role === "assistant" ? messages[messages.length - 2] : last;
  if (answered?.role !== "user") {
    throw new InvalidRequestError(
      `messages[${messages.length - 1}].role = ${formatValue(last.role)}: the last message must be from the user, or an assistant reply to continue right after one`,
    );
  }
  return parsed.data as ChatRequest;
}
