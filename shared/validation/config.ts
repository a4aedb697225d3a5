// Per-environment and per-tier configuration of rules. Settings apply in layers (validator
// defaults, then `rules`, then `places[place]`, then `tiers[tier]`); inside a layer a more specific
// key wins: "*" < "family/*" (or "family") < exact rule id.
import type { RuleConfig, RuleSettings, RunPlace, Severity, Tier, ValidationConfig, Validator } from "./types.ts";
import { SEVERITIES } from "./types.ts";

export interface EffectiveRule {
  enabled: boolean;
  severity: Severity;
  priority: number;
  options: Record<string, unknown>;
}

function asConfig(value: boolean | RuleConfig | undefined): RuleConfig | undefined {
  if (value === undefined) return undefined;
  return typeof value === "boolean" ? { enabled: value } : value;
}

/** Keys of a settings layer that apply to a rule id, least specific first. */
function applicable(settings: RuleSettings | undefined, ruleId: string): RuleConfig[] {
  if (!settings) return [];
  const family = ruleId.includes("/") ? ruleId.slice(0, ruleId.indexOf("/")) : ruleId;
  const keys = ["*", family, `${family}/*`, ruleId];
  const out: RuleConfig[] = [];
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) continue;
    seen.add(k);
    const c = asConfig(settings[k]);
    if (c) out.push(c);
  }
  return out;
}

export function effectiveRule(ruleId: string, validator: Validator, config: ValidationConfig | undefined, place: RunPlace, tier: Tier | undefined): EffectiveRule {
  const result: EffectiveRule = {
    enabled: true,
    severity: validator.severity,
    priority: validator.priority,
    options: { ...(validator.defaults ?? {}) },
  };
  const layers = [config?.rules, config?.places?.[place], tier ? config?.tiers?.[tier] : undefined];
  for (const layer of layers) {
    for (const c of applicable(layer, ruleId)) {
      if (c.enabled !== undefined) result.enabled = c.enabled;
      if (c.severity !== undefined) result.severity = c.severity;
      if (c.priority !== undefined) result.priority = c.priority;
      if (c.options) Object.assign(result.options, c.options);
    }
  }
  return result;
}

/** Rejects malformed configuration with a message naming the field, before anything runs. */
export function checkConfig(config: unknown): ValidationConfig {
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) throw new Error("validation config must be an object with optional 'rules', 'places' and 'tiers'");
  const c = config as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!["rules", "places", "tiers"].includes(key)) throw new Error(`validation config: unknown field '${key}' (expected rules, places or tiers)`);
  }
  const checkSettings = (value: unknown, path: string): void => {
    if (value === undefined) return;
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`validation config: '${path}' must be an object keyed by rule id`);
    for (const [id, v] of Object.entries(value)) {
      if (typeof v === "boolean") continue;
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`validation config: '${path}.${id}' must be true, false or an object`);
      const r = v as Record<string, unknown>;
      for (const k of Object.keys(r)) {
        if (!["enabled", "severity", "priority", "options"].includes(k)) throw new Error(`validation config: '${path}.${id}.${k}' is not a rule setting (enabled, severity, priority, options)`);
      }
      if (r.enabled !== undefined && typeof r.enabled !== "boolean") throw new Error(`validation config: '${path}.${id}.enabled' must be a boolean`);
      if (r.severity !== undefined && !SEVERITIES.includes(r.severity as Severity)) throw new Error(`validation config: '${path}.${id}.severity' must be one of ${SEVERITIES.join(", ")}`);
      if (r.priority !== undefined && (typeof r.priority !== "number" || !Number.isFinite(r.priority))) throw new Error(`validation config: '${path}.${id}.priority' must be a number`);
      if (r.options !== undefined && (typeof r.options !== "object" || r.options === null || Array.isArray(r.options))) throw new Error(`validation config: '${path}.${id}.options' must be an object`);
    }
  };
  checkSettings(c.rules, "rules");
  for (const [group, allowed] of [["places", ["edge", "gpu"]], ["tiers", ["S", "A", "B"]]] as const) {
    const v = c[group];
    if (v === undefined) continue;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`validation config: '${group}' must be an object`);
    for (const [k, s] of Object.entries(v)) {
      if (!(allowed as readonly string[]).includes(k)) throw new Error(`validation config: '${group}.${k}' is not one of ${allowed.join(", ")}`);
      checkSettings(s, `${group}.${k}`);
    }
  }
  return c as ValidationConfig;
}
