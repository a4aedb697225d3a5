// Public API of the GPU node's inference engine. The node's configuration (its loader, schema and
// environment names) is gpu-node/config; the engine reads its own sections of it (EngineConfig).
export { engineConfigSchema, type EngineConfig, type ModelConfig } from "./config/schema.ts";
export { ConfigError } from "./config/errors.ts";
export {
  createEngine,
  type Engine,
  type CreateEngineOptions,
  type EngineDescription,
  type EngineStats,
  type HealthResult,
  type ModelDescription,
  type ModelInfo,
  type EngineLogger,
} from "./engine.ts";
export type { CompletionRequest, ChatRequest, CompletionResult } from "./request.ts";
export type { ChatMessage, StopReason } from "./generation.ts";
export type { Priority } from "./scheduler.ts";
export type { ModelPlan, Chosen, SettingSource } from "./tuning.ts";
export type { ThreadCalibration, ThreadSweepPoint } from "./thread-calibration.ts";
export type { Hardware } from "./hardware.ts";
export type { MemoryBudget } from "./memory-budget.ts";
export { formatBytes } from "./memory-budget.ts";
export {
  EngineError,
  QueueFullError,
  QueueTimeoutError,
  GenerationTimeoutError,
  InvalidRequestError,
  UnknownModelError,
  PromptTooLongError,
  ModelTooLargeError,
  ModelSourceError,
  ModelLoadError,
  EngineClosedError,
} from "./errors.ts";
export { engineRoutes, onEngineError, engineErrorResponse } from "./routes.ts";
