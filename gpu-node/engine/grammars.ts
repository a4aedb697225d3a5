// JSON-schema grammars: each schema is checked, compiled once by node-llama-cpp and kept in a small
// LRU (compiling takes from milliseconds to seconds); a schema it cannot compile is an invalid request.
import type { Llama, LlamaGrammar } from "node-llama-cpp";
import { InvalidRequestError } from "./errors.ts";
import { checkGrammarSchema } from "./json-schema-check.ts";
import { LruMap } from "./lru.ts";

/** A compiled JSON-schema grammar; `parse` validates the output against the schema. */
export type JsonGrammar = LlamaGrammar & { parse(json: string): unknown };

export class JsonGrammars {
  private readonly compiled = new LruMap<string, Promise<JsonGrammar>>(64);
  private readonly compile: (schema: object) => Promise<JsonGrammar>;

  constructor(llama: Llama) {
    // Schemas arrive as plain JSON at run time; node-llama-cpp's static schema typing cannot apply.
    this.compile = llama.createGrammarForJsonSchema.bind(llama) as unknown as (schema: object) => Promise<JsonGrammar>;
  }

  /** The grammar for `schema`, compiled on first use (concurrent callers share one compile). */
  get(schema: object): Promise<JsonGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.compiled.get(key);
    if (!grammar) {
      checkGrammarSchema(schema);
      grammar = this.compile(schema).catch((error: unknown) => {
        this.compiled.delete(key);
        throw new InvalidRequestError(`jsonSchema: not a schema node-llama-cpp can turn into a grammar: ${(error as Error).message}`);
      });
      this.compiled.set(key, grammar);
    }
    return grammar;
  }

  /** `text` parsed and checked against `schema`, or not ok when it does not conform. */
  async parse(schema: object, text: string): Promise<{ ok: true; value: unknown } | { ok: false }> {
    try {
      return { ok: true, value: (await this.get(schema)).parse(text) };
    } catch {
      return { ok: false };
    }
  }
}
