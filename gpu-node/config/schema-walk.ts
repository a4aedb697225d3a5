// Reads the zod schema's structure at a path, so that errors can list the keys a section allows.
import type { z } from "zod";

type AnyDef = { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType; in?: z.ZodType };

function defOf(schema: z.ZodType): AnyDef {
  return (schema as unknown as { _zod: { def: AnyDef } })._zod.def;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 10; i++) {
    const def = defOf(current);
    if ((def.type === "default" || def.type === "optional" || def.type === "nullable" || def.type === "prefault") && def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else break;
  }
  return current;
}

/** The schema found at `path` (object keys and array indexes), or undefined when the path leaves the schema. */
export function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (!current) return undefined;
    const def = defOf(current);
    if (def.type === "object" && def.shape && typeof key === "string") current = def.shape[key];
    else if (def.type === "array" && def.element && typeof key === "number") current = def.element;
    else return undefined;
    current = current ? unwrap(current) : undefined;
  }
  return current;
}

/** The keys an object schema at `path` allows, or [] when it is not an object. */
export function allowedKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const found = schemaAt(schema, path);
  if (!found) return [];
  const def = defOf(found);
  return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
}
