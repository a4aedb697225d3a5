// Typed engine errors. Each carries a stable `code` and the HTTP status the node answers with, so the
// server maps them without string matching (see onEngineError in routes.ts).
export abstract class EngineError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
}

/** Too many requests are already waiting. Retry after `retryAfterSeconds`. */
export class QueueFullError extends EngineError {
  readonly code = "queue_full";
  readonly httpStatus = 503;
  constructor(
    readonly waiting: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`The GPU node is busy: ${waiting} requests are already waiting (queue.maxWaiting). Retry in ${retryAfterSeconds}s.`);
    this.name = "QueueFullError";
  }
}

/** The request waited for a sequence longer than allowed (queue.maxWaitMs or its own timeoutMs). */
export class QueueTimeoutError extends EngineError {
  readonly code = "queue_timeout";
  readonly httpStatus = 503;
  constructor(
    readonly waitedMs: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`No sequence became free within ${Math.round(waitedMs)}ms. Retry in ${retryAfterSeconds}s.`);
    this.name = "QueueTimeoutError";
  }
}

/** Generation ran past the request's timeout; what was generated so far is kept in `partialText`. */
export class GenerationTimeoutError extends EngineError {
  readonly code = "generation_timeout";
  readonly httpStatus = 504;
  constructor(
    readonly timeoutMs: number,
    readonly partialText: string,
    readonly tokens: number,
  ) {
    super(`Generation did not finish within ${timeoutMs}ms (${tokens} tokens generated); raise timeoutMs or lower maxTokens.`);
    this.name = "GenerationTimeoutError";
  }
}

export class InvalidRequestError extends EngineError {
  readonly code = "invalid_request";
  readonly httpStatus = 400;
  constructor(message: string) {
    super(message);
    this.name = "InvalidRequestError";
  }
}

export class UnknownModelError extends EngineError {
  readonly code = "unknown_model";
  readonly httpStatus = 400;
  constructor(requested: string, known: string[]) {
    super(`model = "${requested}": no model or role by that name (known: ${known.join(", ") || "none"})`);
    this.name = "UnknownModelError";
  }
}

export class PromptTooLongError extends EngineError {
  readonly code = "prompt_too_long";
  readonly httpStatus = 400;
  constructor(
    readonly promptTokens: number,
    readonly contextSize: number,
    modelId: string,
  ) {
    super(`The prompt has ${promptTokens} tokens but model "${modelId}" has a context of ${contextSize} tokens per sequence; shorten the prompt (countTokens() measures it).`);
    this.name = "PromptTooLongError";
  }
}

/** The model cannot fit the memory budget even alone, at its smallest allowed context. */
export class ModelTooLargeError extends EngineError {
  readonly code = "model_too_large";
  readonly httpStatus = 507;
  constructor(message: string) {
    super(message);
    this.name = "ModelTooLargeError";
  }
}

/** A model file is missing, or a remote model cannot be downloaded. */
export class ModelSourceError extends EngineError {
  readonly code = "model_source";
  readonly httpStatus = 500;
  constructor(message: string) {
    super(message);
    this.name = "ModelSourceError";
  }
}

export class ModelLoadError extends EngineError {
  readonly code = "model_load_failed";
  readonly httpStatus = 500;
  constructor(modelId: string, cause: unknown) {
    super(`Model "${modelId}" failed to load: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "ModelLoadError";
  }
}

export class EngineClosedError extends EngineError {
  readonly code = "engine_closed";
  readonly httpStatus = 503;
  constructor() {
    super("The engine is shutting down");
    this.name = "EngineClosedError";
  }
}
