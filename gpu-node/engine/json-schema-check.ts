// node-llama-cpp turns a subset of JSON Schema into a grammar and silently ignores the rest (a schema
// with "minimum" or "pattern" would generate output that breaks them). Refuse what it cannot enforce.
import { InvalidRequestError } from "./errors.ts";

const types = new Set(["string", "number", "integer", "boolean", "null", "object", "array"]);
const annotations = ["title", "description", "$schema", "$id", "$comment", "examples", "default", "required"];
const supported = new Set([
  ...annotations,
  "type",
  "const",
  "enum",
  "oneOf",
  "properties",
  "additionalProperties",
  "minProperties",
  "maxProperties",
  "items",
  "prefixItems",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "format",
  "$ref",
  "$defs",
]);
const formats = new Set(["date-time", "time", "date"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function check(node: unknown, at: string): void {
  if (!isObject(node)) throw new InvalidRequestError(`${at}: expected a schema object, found ${JSON.stringify(node)}`);
  for (const key of Object.keys(node)) {
    if (!supported.has(key)) {
      throw new InvalidRequestError(`${at}: "${key}" is not supported by JSON-schema grammars (supported: ${[...supported].filter((k) => !annotations.includes(k)).join(", ")})`);
    }
  }
  if ("type" in node) {
    const list = Array.isArray(node.type) ? node.type : [node.type];
    for (const t of list) if (typeof t !== "string" || !types.has(t)) throw new InvalidRequestError(`${at}.type = ${JSON.stringify(node.type)}: expected one of ${[...types].join(", ")}`);
  }
  if ("enum" in node && (!Array.isArray(node.enum) || node.enum.length === 0)) throw new InvalidRequestError(`${at}.enum: expected a non-empty list`);
  if ("format" in node && !formats.has(String(node.format))) throw new InvalidRequestError(`${at}.format = ${JSON.stringify(node.format)}: expected one of ${[...formats].join(", ")}`);
  if ("$ref" in node && (typeof node.$ref !== "string" || !node.$ref.startsWith("#/$defs/"))) throw new InvalidRequestError(`${at}.$ref: expected "#/$defs/<name>"`);
  if (!("type" in node) && !("const" in node) && !("enum" in node) && !("oneOf" in node) && !("$ref" in node) && !("properties" in node) && !("items" in node)) {
    throw new InvalidRequestError(`${at}: a schema needs "type", "const", "enum", "oneOf" or "$ref"`);
  }
  if (isObject(node.properties)) for (const [name, child] of Object.entries(node.properties)) check(child, `${at}.properties.${name}`);
  else if ("properties" in node) throw new InvalidRequestError(`${at}.properties: expected an object`);
  if (isObject(node.additionalProperties)) check(node.additionalProperties, `${at}.additionalProperties`);
  if ("items" in node) check(node.items, `${at}.items`);
  if (Array.isArray(node.prefixItems)) node.prefixItems.forEach((child, i) => check(child, `${at}.prefixItems[${i}]`));
  if (Array.isArray(node.oneOf)) node.oneOf.forEach((child, i) => check(child, `${at}.oneOf[${i}]`));
  else if ("oneOf" in node) throw new InvalidRequestError(`${at}.oneOf: expected a list of schemas`);
  if (isObject(node.$defs)) for (const [name, child] of Object.entries(node.$defs)) check(child, `${at}.$defs.${name}`);
}

/** Throws InvalidRequestError naming the first part of `schema` that a grammar cannot enforce. */
export function checkGrammarSchema(schema: unknown): void {
  check(schema, "jsonSchema");
}
